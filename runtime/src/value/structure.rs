//! [`Struct`]: named members in the order they were given.

use indexmap::IndexMap;

use super::Value;

/// The members of an XML-RPC struct or a JSON object, in the order they were
/// given.
///
/// A name given twice keeps its first position and its last value, as most
/// clients' dictionaries do. Lookups are hashed, so a struct with many members
/// costs no more per member than a small one. Equality ignores order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Struct {
    members: IndexMap<String, Value>,
}

impl Struct {
    /// An empty struct.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty struct with room for `n` members.
    pub fn with_capacity(n: usize) -> Self {
        Struct {
            members: IndexMap::with_capacity(n),
        }
    }

    /// Sets a member, returning the value it replaced.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<Value>) -> Option<Value> {
        self.members.insert(name.into(), value.into())
    }

    /// A member by name.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.members.get(name)
    }

    /// A member by name, to change in place.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut Value> {
        self.members.get_mut(name)
    }

    /// Removes a member, keeping the order of the rest.
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        self.members.shift_remove(name)
    }

    /// Whether a member has this name.
    pub fn contains(&self, name: &str) -> bool {
        self.members.contains_key(name)
    }

    /// How many members there are.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether there are no members.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The members in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &Value)> {
        self.members.iter().map(|(k, v)| (k.as_str(), v))
    }
}

impl<K: Into<String>, V: Into<Value>> FromIterator<(K, V)> for Struct {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Struct {
            members: iter
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }
}

impl IntoIterator for Struct {
    type Item = (String, Value);
    type IntoIter = IntoMembers;

    fn into_iter(self) -> Self::IntoIter {
        IntoMembers(self.members.into_iter())
    }
}

/// The members of a [`Struct`], by value, in order.
#[derive(Debug)]
pub struct IntoMembers(indexmap::map::IntoIter<String, Value>);

impl Iterator for IntoMembers {
    type Item = (String, Value);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl ExactSizeIterator for IntoMembers {}
