//! One validating pass over JSON text that finds where each value starts
//! and ends and how deep it nests, without building anything.
//!
//! The request reader walks a body's envelope with it: every member is
//! checked for syntax and measured for depth here, so `params` is read once
//! more only when a method decodes it, and a hostile nesting is refused
//! before any recursive parser sees it. The walk keeps no recursion: open
//! arrays and objects are bits in an integer, spilling to the heap only past
//! 64 levels.

/// The text is not JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Syntax;

/// A cursor over JSON text.
pub(super) struct Scanner<'a> {
    text: &'a str,
    pos: usize,
}

/// The arrays and objects open around the cursor, innermost in bit 0 of
/// `inline` (set for an object); levels past 64 wait in `spill`.
#[derive(Default)]
struct Open {
    depth: usize,
    inline: u64,
    spill: Vec<bool>,
}

impl Open {
    fn push(&mut self, object: bool) {
        if self.depth >= 64 {
            self.spill.push(self.inline >> 63 != 0);
        }
        self.inline = self.inline << 1 | u64::from(object);
        self.depth += 1;
    }

    fn pop(&mut self) {
        self.depth -= 1;
        self.inline >>= 1;
        if self.depth >= 64 {
            let outer = self.spill.pop().unwrap_or_default();
            self.inline |= u64::from(outer) << 63;
        }
    }

    /// Whether the innermost open value is an object; `None` at the top.
    fn top(&self) -> Option<bool> {
        (self.depth > 0).then_some(self.inline & 1 != 0)
    }
}

/// Eight copies of `b`.
const fn splat(b: u8) -> u64 {
    u64::from_ne_bytes([b; 8])
}

/// The high bit of each byte of `w` that is a `"`, a `\` or a control
/// character. A flag can be wrong only above a true one, so the lowest is
/// exact.
pub(super) fn special(w: u64) -> u64 {
    let zero = |v: u64| v.wrapping_sub(splat(1)) & !v & splat(0x80);
    let below_space = w.wrapping_sub(splat(0x20)) & !w & splat(0x80);
    below_space | zero(w ^ splat(b'"')) | zero(w ^ splat(b'\\'))
}

impl<'a> Scanner<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Scanner { text, pos: 0 }
    }

    #[inline(always)]
    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// The text from `start` to the cursor.
    pub(super) fn since(&self, start: usize) -> &'a str {
        &self.text[start..self.pos]
    }

    pub(super) fn pos(&self) -> usize {
        self.pos
    }

    /// Skips whitespace and returns the next byte without taking it.
    #[inline(always)]
    pub(super) fn peek(&mut self) -> Option<u8> {
        while let Some(&b) = self.bytes().get(self.pos) {
            // Everything past the space is not whitespace: one test for
            // what nearly every byte is.
            if b > b' ' || !matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                return Some(b);
            }
            self.pos += 1;
        }
        None
    }

    /// Skips whitespace and takes the next byte.
    #[inline(always)]
    pub(super) fn next(&mut self) -> Result<u8, Syntax> {
        let b = self.peek().ok_or(Syntax)?;
        self.pos += 1;
        Ok(b)
    }

    /// Takes `b` if it comes next.
    #[inline(always)]
    pub(super) fn eat(&mut self, b: u8) -> bool {
        let found = self.peek() == Some(b);
        self.pos += usize::from(found);
        found
    }

    /// Requires that only whitespace is left.
    pub(super) fn end(&mut self) -> Result<(), Syntax> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(Syntax),
        }
    }

    /// Skips an object member's name and its colon; returns the name as
    /// written, without its quotes.
    #[inline(always)]
    pub(super) fn key(&mut self) -> Result<&'a str, Syntax> {
        if self.next()? != b'"' {
            return Err(Syntax);
        }
        let start = self.pos;
        self.string()?;
        let name = &self.text[start..self.pos - 1];
        if self.next()? != b':' {
            return Err(Syntax);
        }
        Ok(name)
    }

    /// Skips one value and returns how deep it nests: 0 for a scalar, 1 for
    /// an array or object of scalars, and so on.
    pub(super) fn value(&mut self) -> Result<usize, Syntax> {
        let mut open = Open::default();
        let mut deepest = 0;
        loop {
            // A value starts here.
            match self.next()? {
                b'{' => {
                    open.push(true);
                    deepest = deepest.max(open.depth);
                    if !self.eat(b'}') {
                        self.key()?;
                        continue;
                    }
                    open.pop();
                }
                b'[' => {
                    open.push(false);
                    deepest = deepest.max(open.depth);
                    if !self.eat(b']') {
                        continue;
                    }
                    open.pop();
                }
                b'"' => self.string()?,
                b'-' => {
                    let first = self.byte()?;
                    self.number(first)?;
                }
                first @ b'0'..=b'9' => self.number(first)?,
                b't' => self.word(b"rue")?,
                b'f' => self.word(b"alse")?,
                b'n' => self.word(b"ull")?,
                _ => return Err(Syntax),
            }
            // A value has ended: close what it ended, up to the next one.
            loop {
                let Some(object) = open.top() else {
                    return Ok(deepest);
                };
                match self.next()? {
                    b',' => {
                        if object {
                            self.key()?;
                        }
                        break;
                    }
                    b'}' if object => open.pop(),
                    b']' if !object => open.pop(),
                    _ => return Err(Syntax),
                }
            }
        }
    }

    /// Takes the next byte as it is, whitespace or not.
    #[inline(always)]
    fn byte(&mut self) -> Result<u8, Syntax> {
        let b = *self.bytes().get(self.pos).ok_or(Syntax)?;
        self.pos += 1;
        Ok(b)
    }

    /// Skips the rest of a string whose opening quote was taken. Runs of
    /// plain characters go eight bytes at a time.
    #[inline(always)]
    fn string(&mut self) -> Result<(), Syntax> {
        let bytes = self.bytes();
        loop {
            while let Some(chunk) = bytes.get(self.pos..self.pos + 8) {
                let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
                let flags = special(word);
                if flags != 0 {
                    self.pos += flags.trailing_zeros() as usize / 8;
                    break;
                }
                self.pos += 8;
            }
            match self.byte()? {
                b'"' => return Ok(()),
                b'\\' => self.escape()?,
                0..=0x1f => return Err(Syntax),
                _ => {}
            }
        }
    }

    /// Skips the rest of an escape sequence whose backslash was taken.
    #[cold]
    fn escape(&mut self) -> Result<(), Syntax> {
        match self.byte()? {
            b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => Ok(()),
            b'u' => {
                for _ in 0..4 {
                    if !self.byte()?.is_ascii_hexdigit() {
                        return Err(Syntax);
                    }
                }
                Ok(())
            }
            _ => Err(Syntax),
        }
    }

    /// Skips the rest of a number whose first digit was taken.
    fn number(&mut self, first: u8) -> Result<(), Syntax> {
        match first {
            b'0' => {}
            b'1'..=b'9' => self.digits(),
            _ => return Err(Syntax),
        }
        if self.bytes().get(self.pos) == Some(&b'.') {
            self.pos += 1;
            self.some_digits()?;
        }
        if matches!(self.bytes().get(self.pos), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.bytes().get(self.pos), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            self.some_digits()?;
        }
        Ok(())
    }

    fn digits(&mut self) {
        while self.bytes().get(self.pos).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
        }
    }

    fn some_digits(&mut self) -> Result<(), Syntax> {
        let start = self.pos;
        self.digits();
        if self.pos == start {
            return Err(Syntax);
        }
        Ok(())
    }

    /// Skips the rest of `true`, `false` or `null`.
    fn word(&mut self, rest: &[u8]) -> Result<(), Syntax> {
        if !self.bytes()[self.pos..].starts_with(rest) {
            return Err(Syntax);
        }
        self.pos += rest.len();
        Ok(())
    }
}

/// How deep `json`, one value, nests; `None` if it is not JSON.
pub(super) fn depth(json: &str) -> Option<usize> {
    let mut scan = Scanner::new(json);
    let depth = scan.value().ok()?;
    scan.end().ok()?;
    Some(depth)
}

#[cfg(test)]
mod tests {
    use super::depth;

    #[test]
    fn measures_nesting_outside_strings() {
        assert_eq!(depth("1"), Some(0));
        assert_eq!(depth("[[1]]"), Some(2));
        assert_eq!(depth(r#"["[[[[\"[[[", {"a":[]}]"#), Some(3));
        assert_eq!(depth(" {} "), Some(1));
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(depth(&deep), Some(100_000));
        let mixed = format!("{}{}", r#"{"a":["#.repeat(70), "]}".repeat(70));
        assert_eq!(depth(&mixed), Some(140));
        let crossed = format!("{}{}}}]", r#"{"a":["#.repeat(70), "]}".repeat(69));
        assert_eq!(depth(&crossed), None);
    }

    /// Every text here is judged the same way by serde_json.
    const CASES: &[&str] = &[
        "",
        " ",
        "1",
        "-",
        "-0",
        "01",
        "1.",
        "1.5",
        "1e",
        "1e+",
        "1E-7",
        "-1.5e3",
        "2.",
        "tru",
        "true",
        "nul",
        "null",
        "falsey",
        r#""a"#,
        r#""\x""#,
        r#""\u12""#,
        r#""\u12G4""#,
        r#""\uD83D\uDE00""#,
        "\"\t\"",
        "\"\u{7f}\"",
        r#""é\"""#,
        "[",
        "[1,]",
        "[,1]",
        "[1 2]",
        "[1,2]",
        "{",
        "{}",
        r#"{"a"}"#,
        r#"{"a":}"#,
        r#"{"a":1,}"#,
        r#"{"a":1 "b":2}"#,
        r#"{1:2}"#,
        r#"{"a":1]"#,
        r#"[1}"#,
        "[]]",
        "{}}",
        " [ ] ",
        r#"{"a":[{"b":null},"c\\"],"d":-0.0e-0}"#,
        "1 2",
        "\"abcdefghijklmnop\\\"qrstuvwxyz\"",
    ];

    #[test]
    fn agrees_with_serde_json() {
        for &text in CASES {
            let serde = serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok();
            assert_eq!(depth(text).is_some(), serde, "{text:?}");
        }
    }
}
