//! The registry of configurable classes: what a section's `class` may name, the type each
//! class declares (`repo`, `cache`, `profile`, `domain`, `syncer`, ...), its typed fields and
//! how its object is built from a resolved section.
//!
//! Crates provide [`ConfigClass`] implementations; a binary assembles one [`Registry`] from
//! all of them (see [`Registry::register`]). There is no global registry.

use std::any::Any;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use indexmap::IndexMap;

use crate::central::BuildContext;
use crate::error::{ConfigError, Location};

/// The type of a field of a class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldType {
    /// A string.
    Str,
    /// `yes/true/1/on` or `no/false/0/off`.
    Bool,
    /// A signed integer.
    Int,
    /// A filesystem path.
    Path,
    /// A list of strings (whitespace-separated with shell-like quoting in text sources).
    List,
    /// A reference to a section of the given type name.
    Ref(&'static str),
    /// A list of references to sections of the given type name.
    Refs(&'static str),
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldType::Str => f.write_str("str"),
            FieldType::Bool => f.write_str("bool"),
            FieldType::Int => f.write_str("int"),
            FieldType::Path => f.write_str("path"),
            FieldType::List => f.write_str("list"),
            FieldType::Ref(t) => write!(f, "ref:{t}"),
            FieldType::Refs(t) => write!(f, "refs:{t}"),
        }
    }
}

/// One declared field of a class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The key.
    pub name: &'static str,
    /// Its type.
    pub ty: FieldType,
    /// Whether a section of this class must set it.
    pub required: bool,
    /// What it means.
    pub doc: &'static str,
}

impl Field {
    /// An optional field.
    pub const fn optional(name: &'static str, ty: FieldType, doc: &'static str) -> Field {
        Field {
            name,
            ty,
            required: false,
            doc,
        }
    }

    /// A required field.
    pub const fn required(name: &'static str, ty: FieldType, doc: &'static str) -> Field {
        Field {
            name,
            ty,
            required: true,
            doc,
        }
    }
}

/// A typed value of a resolved section.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A string.
    Str(String),
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A path.
    Path(PathBuf),
    /// A list of strings.
    List(Vec<String>),
    /// A reference to one section.
    Ref(SectionRef),
    /// References to several sections.
    Refs(Vec<SectionRef>),
}

/// A reference to a section: by name, or an anonymous section written in place.
#[derive(Debug, Clone, PartialEq)]
pub enum SectionRef {
    /// A named section.
    Named(String),
    /// An inline (anonymous) section, already resolved.
    Inline(Box<ResolvedSection>),
}

/// A section after `inherit` is applied, its class found and its values typed.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedSection {
    /// The section name (inline sections get `<parent>.<key>[.<n>]`).
    pub name: String,
    /// Whether it is an anonymous inline section.
    pub inline: bool,
    /// The class name.
    pub class: String,
    /// The type name the class declares.
    pub type_name: &'static str,
    /// `default = true`: the default object of its type.
    pub default: bool,
    /// The typed values with where each was set, in field order then unknown keys.
    pub values: IndexMap<String, (Value, Location)>,
    /// Where the section is defined.
    pub location: Location,
}

impl ResolvedSection {
    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.values.get(key).map(|(v, _)| v)
    }

    /// Where `key` was set (or the section, if it was not).
    pub fn location_of(&self, key: &str) -> &Location {
        self.values
            .get(key)
            .map(|(_, l)| l)
            .unwrap_or(&self.location)
    }

    /// A string value (also the text of a path).
    pub fn str(&self, key: &str) -> Option<&str> {
        match self.get(key)? {
            Value::Str(s) => Some(s),
            Value::Path(p) => p.to_str(),
            _ => None,
        }
    }

    /// A boolean value.
    pub fn bool(&self, key: &str) -> Option<bool> {
        match self.get(key)? {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// An integer value.
    pub fn int(&self, key: &str) -> Option<i64> {
        match self.get(key)? {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// A path value.
    pub fn path(&self, key: &str) -> Option<&std::path::Path> {
        match self.get(key)? {
            Value::Path(p) => Some(p),
            _ => None,
        }
    }

    /// A list value.
    pub fn list(&self, key: &str) -> Option<&[String]> {
        match self.get(key)? {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    /// A build error about `key` of this section.
    pub fn error(&self, key: Option<&str>, message: impl Into<String>) -> ConfigError {
        ConfigError::Build {
            section: self.name.clone(),
            key: key.map(str::to_string),
            message: message.into(),
            location: key
                .map(|k| self.location_of(k).clone())
                .unwrap_or_else(|| self.location.clone()),
        }
    }
}

/// A built object. Callers downcast it to the concrete type they expect.
pub type Object = Arc<dyn Any + Send + Sync>;

/// A configurable class: its type name, its fields, and how to build its object.
pub trait ConfigClass: Send + Sync {
    /// The type name (`repo`, `cache`, `fetcher`, `profile`, `domain`, `syncer`, ...).
    fn type_name(&self) -> &'static str;
    /// The declared fields.
    fn fields(&self) -> &'static [Field];
    /// Whether keys not in [`ConfigClass::fields`] are accepted (kept as strings).
    fn allow_unknown(&self) -> bool {
        false
    }
    /// A one-line description.
    fn doc(&self) -> &'static str;
    /// Builds the object of `section`; `ctx` builds referenced sections.
    fn build(
        &self,
        section: &ResolvedSection,
        ctx: &mut BuildContext<'_>,
    ) -> Result<Object, ConfigError>;
}

/// Class names to implementations.
#[derive(Clone, Default)]
pub struct Registry {
    classes: IndexMap<String, Arc<dyn ConfigClass>>,
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.classes.iter().map(|(k, v)| (k, v.type_name())))
            .finish()
    }
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Registry {
        Registry::default()
    }

    /// Registers `class` under `name` (replacing an earlier registration of that name).
    pub fn register(&mut self, name: impl Into<String>, class: impl ConfigClass + 'static) {
        self.classes.insert(name.into(), Arc::new(class));
    }

    /// The class registered as `name`.
    pub fn get(&self, name: &str) -> Option<&Arc<dyn ConfigClass>> {
        self.classes.get(name)
    }

    /// Every registered class name with its class, in registration order.
    pub fn classes(&self) -> impl Iterator<Item = (&str, &Arc<dyn ConfigClass>)> {
        self.classes.iter().map(|(k, v)| (k.as_str(), v))
    }
}
