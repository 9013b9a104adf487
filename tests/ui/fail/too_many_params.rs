// One error at the first parameter too many, not one per extra parameter.

#[diglot::rpc]
pub trait Wide {
    #[allow(clippy::too_many_arguments)]
    fn wide(
        &self,
        a: i32,
        b: i32,
        c: i32,
        d: i32,
        e: i32,
        f: i32,
        g: i32,
        h: i32,
        i: i32,
        j: i32,
        k: i32,
        l: i32,
        m: i32,
        n: i32,
        o: i32,
        p: i32,
        q: i32,
        r: i32,
    ) -> i32;
}

fn main() {}
