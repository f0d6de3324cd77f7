//! The central configuration manager: raw sections from any number of sources, `inherit`,
//! class lookup, typing of values, recursive resolution of references with cycle detection,
//! lazy building of objects, and the `dump` view.
//!
//! Special keys of a raw section: `class` (a registered class name), `inherit` (section
//! names whose values this section takes unless it sets them itself; the section's own name
//! means "the definition of this name in an earlier source"), `inherit-only` (a template that
//! is never built) and `default` (the default object of its type).

use std::any::Any;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use indexmap::IndexMap;

use crate::error::{ConfigError, Location};
use crate::registry::{FieldType, Object, Registry, ResolvedSection, SectionRef, Value};

/// A value as a source wrote it, before typing.
#[derive(Debug, Clone, PartialEq)]
pub enum RawValue {
    /// Text (everything from INI-like and Portage sources).
    Text(String),
    /// A boolean (TOML).
    Bool(bool),
    /// An integer (TOML).
    Int(i64),
    /// A list (TOML arrays).
    List(Vec<RawValue>),
    /// An anonymous section written in place (TOML inline tables).
    Section(Box<RawSection>),
}

impl RawValue {
    fn describe(&self) -> String {
        match self {
            RawValue::Text(s) => s.clone(),
            RawValue::Bool(b) => b.to_string(),
            RawValue::Int(i) => i.to_string(),
            RawValue::List(l) => format!(
                "[{}]",
                l.iter()
                    .map(|v| v.describe())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            RawValue::Section(s) => format!("{{section {}}}", s.name),
        }
    }
}

/// A section as a source defined it.
#[derive(Debug, Clone, PartialEq)]
pub struct RawSection {
    /// The name.
    pub name: String,
    /// Where it is defined.
    pub location: Location,
    /// Keys to values with where each was set.
    pub values: IndexMap<String, (RawValue, Location)>,
}

impl RawSection {
    /// An empty section called `name` defined at `location`.
    pub fn new(name: impl Into<String>, location: Location) -> RawSection {
        RawSection {
            name: name.into(),
            location,
            values: IndexMap::new(),
        }
    }

    /// Sets a text value (builder style).
    pub fn with(mut self, key: &str, value: impl Into<String>, location: Location) -> RawSection {
        self.set(key, RawValue::Text(value.into()), location);
        self
    }

    /// Sets `key`.
    pub fn set(&mut self, key: &str, value: RawValue, location: Location) {
        self.values.insert(key.to_string(), (value, location));
    }
}

/// The special keys every section may have.
const SPECIAL_KEYS: &[&str] = &["class", "inherit", "inherit-only", "default"];

/// Holds the sections of every source and builds objects from them on demand.
pub struct ConfigManager {
    registry: Registry,
    /// Name → definitions, most recent source first.
    sections: IndexMap<String, Vec<RawSection>>,
    built: Mutex<HashMap<String, Object>>,
}

impl std::fmt::Debug for ConfigManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfigManager")
            .field("registry", &self.registry)
            .field("sections", &self.sections.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// Lets a class's `build` build the sections its section references.
pub struct BuildContext<'a> {
    manager: &'a ConfigManager,
    stack: Vec<String>,
}

impl BuildContext<'_> {
    /// Builds the object referenced by `key` of `section` (a `ref:` field), if set.
    pub fn get_ref<T: Any + Send + Sync>(
        &mut self,
        section: &ResolvedSection,
        key: &str,
    ) -> Result<Option<Arc<T>>, ConfigError> {
        match section.get(key) {
            None => Ok(None),
            Some(Value::Ref(r)) => self.build_ref(section, key, r).map(Some),
            Some(_) => Err(section.error(Some(key), "not a reference")),
        }
    }

    /// Builds the objects referenced by `key` of `section` (a `refs:` field).
    pub fn get_refs<T: Any + Send + Sync>(
        &mut self,
        section: &ResolvedSection,
        key: &str,
    ) -> Result<Vec<Arc<T>>, ConfigError> {
        match section.get(key) {
            None => Ok(Vec::new()),
            Some(Value::Refs(rs)) => rs.iter().map(|r| self.build_ref(section, key, r)).collect(),
            Some(_) => Err(section.error(Some(key), "not a list of references")),
        }
    }

    fn build_ref<T: Any + Send + Sync>(
        &mut self,
        section: &ResolvedSection,
        key: &str,
        r: &SectionRef,
    ) -> Result<Arc<T>, ConfigError> {
        let obj = match r {
            SectionRef::Named(name) => {
                if self.stack.contains(name) {
                    let mut chain = self.stack.clone();
                    chain.push(name.clone());
                    return Err(ConfigError::SectionCycle {
                        section: section.name.clone(),
                        kind: "reference",
                        chain,
                        location: section.location_of(key).clone(),
                    });
                }
                self.manager.instantiate_in(name, &mut self.stack)?
            }
            SectionRef::Inline(inline) => self.manager.build_resolved(inline, &mut self.stack)?,
        };
        downcast::<T>(obj, section, key)
    }
}

fn downcast<T: Any + Send + Sync>(
    obj: Object,
    section: &ResolvedSection,
    key: &str,
) -> Result<Arc<T>, ConfigError> {
    obj.downcast::<T>().map_err(|_| {
        section.error(
            Some(key),
            format!("referenced object is not a {}", std::any::type_name::<T>()),
        )
    })
}

impl ConfigManager {
    /// A manager with no sections.
    pub fn new(registry: Registry) -> ConfigManager {
        ConfigManager {
            registry,
            sections: IndexMap::new(),
            built: Mutex::new(HashMap::new()),
        }
    }

    /// The registry.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Adds the sections of one source. A later source's definition of a name overrides an
    /// earlier one (which it can still `inherit` by its own name).
    pub fn add_source(&mut self, sections: impl IntoIterator<Item = RawSection>) {
        for s in sections {
            self.sections
                .entry(s.name.clone())
                .or_default()
                .insert(0, s);
        }
        if let Ok(mut built) = self.built.lock() {
            built.clear();
        }
    }

    /// Every section name, in order of first definition.
    pub fn section_names(&self) -> impl Iterator<Item = &str> {
        self.sections.keys().map(String::as_str)
    }

    /// The most recent raw definition of `name`.
    pub fn raw_section(&self, name: &str) -> Option<&RawSection> {
        self.sections.get(name).and_then(|v| v.first())
    }

    /// Resolves section `name`: inherit applied, class found, values typed, references
    /// checked (recursively) to exist and have the right type.
    pub fn resolve(&self, name: &str) -> Result<ResolvedSection, ConfigError> {
        let mut refs = Vec::new();
        self.resolve_named(name, None, &mut refs)
    }

    fn resolve_named(
        &self,
        name: &str,
        referrer: Option<(&str, &Location)>,
        ref_stack: &mut Vec<String>,
    ) -> Result<ResolvedSection, ConfigError> {
        if ref_stack.iter().any(|n| n == name) {
            let mut chain = ref_stack.clone();
            chain.push(name.to_string());
            return Err(ConfigError::SectionCycle {
                section: ref_stack.last().cloned().unwrap_or_default(),
                kind: "reference",
                chain,
                location: referrer
                    .map(|(_, l)| l.clone())
                    .unwrap_or_else(Location::builtin),
            });
        }
        if !self.sections.contains_key(name) {
            return Err(ConfigError::UnknownSection {
                section: name.to_string(),
                key: referrer.map(|(k, _)| k.to_string()),
                location: referrer
                    .map(|(_, l)| l.clone())
                    .unwrap_or_else(Location::builtin),
            });
        }
        let mut inherit_stack = Vec::new();
        let merged = self.merge_inherit(name, 0, &mut inherit_stack)?;
        ref_stack.push(name.to_string());
        let result = self.type_section(&merged, false, ref_stack);
        ref_stack.pop();
        result
    }

    /// The raw values of definition `level` of `name` with its `inherit` applied.
    fn merge_inherit(
        &self,
        name: &str,
        level: usize,
        stack: &mut Vec<(String, usize)>,
    ) -> Result<RawSection, ConfigError> {
        let defs = self.sections.get(name);
        let Some(def) = defs.and_then(|d| d.get(level)) else {
            return Err(ConfigError::UnknownSection {
                section: name.to_string(),
                key: Some("inherit".into()),
                location: stack
                    .last()
                    .and_then(|(n, l)| self.sections.get(n).and_then(|d| d.get(*l)))
                    .and_then(|s| s.values.get("inherit"))
                    .map(|(_, l)| l.clone())
                    .unwrap_or_else(Location::builtin),
            });
        };
        if stack.iter().any(|(n, l)| n == name && *l == level) {
            let mut chain: Vec<String> = stack.iter().map(|(n, _)| n.clone()).collect();
            chain.push(name.to_string());
            return Err(ConfigError::SectionCycle {
                section: name.to_string(),
                kind: "inherit",
                chain,
                location: def
                    .values
                    .get("inherit")
                    .map(|(_, l)| l.clone())
                    .unwrap_or_else(|| def.location.clone()),
            });
        }
        let mut merged = def.clone();
        merged.values.shift_remove("inherit");
        merged.values.shift_remove("inherit-only");
        let Some((inherit, _)) = def.values.get("inherit") else {
            return Ok(merged);
        };
        stack.push((name.to_string(), level));
        for parent in text_list(inherit) {
            let parent_level = if parent == name { level + 1 } else { 0 };
            let p = self.merge_inherit(&parent, parent_level, stack)?;
            for (k, v) in p.values {
                if k != "default" && !merged.values.contains_key(&k) {
                    merged.values.insert(k, v);
                }
            }
        }
        stack.pop();
        Ok(merged)
    }

    fn type_section(
        &self,
        raw: &RawSection,
        inline: bool,
        ref_stack: &mut Vec<String>,
    ) -> Result<ResolvedSection, ConfigError> {
        let (class_name, class_loc) = match raw.values.get("class") {
            Some((RawValue::Text(c), l)) => (c.clone(), l.clone()),
            Some((other, l)) => {
                return Err(ConfigError::Type {
                    section: raw.name.clone(),
                    key: "class".into(),
                    expected: "str".into(),
                    value: other.describe(),
                    location: l.clone(),
                });
            }
            None => {
                return Err(ConfigError::NoClass {
                    section: raw.name.clone(),
                    location: raw.location.clone(),
                });
            }
        };
        let Some(class) = self.registry.get(&class_name) else {
            return Err(ConfigError::UnknownClass {
                section: raw.name.clone(),
                class: class_name,
                location: class_loc,
            });
        };
        let default = match raw.values.get("default") {
            None => false,
            Some((v, l)) => convert_bool(v).ok_or_else(|| ConfigError::Type {
                section: raw.name.clone(),
                key: "default".into(),
                expected: "bool".into(),
                value: v.describe(),
                location: l.clone(),
            })?,
        };
        let mut values = IndexMap::new();
        for field in class.fields() {
            match raw.values.get(field.name) {
                Some((v, loc)) => {
                    let typed = self.convert(raw, field.name, field.ty, v, loc, ref_stack)?;
                    values.insert(field.name.to_string(), (typed, loc.clone()));
                }
                None if field.required => {
                    return Err(ConfigError::MissingKey {
                        section: raw.name.clone(),
                        key: field.name.to_string(),
                        location: raw.location.clone(),
                    });
                }
                None => {}
            }
        }
        for (k, (v, loc)) in &raw.values {
            if SPECIAL_KEYS.contains(&k.as_str()) || class.fields().iter().any(|f| f.name == k) {
                continue;
            }
            if !class.allow_unknown() {
                return Err(ConfigError::UnknownKey {
                    section: raw.name.clone(),
                    key: k.clone(),
                    class: class_name,
                    location: loc.clone(),
                });
            }
            let typed = self.convert(raw, k, FieldType::Str, v, loc, ref_stack)?;
            values.insert(k.clone(), (typed, loc.clone()));
        }
        Ok(ResolvedSection {
            name: raw.name.clone(),
            inline,
            class: class_name,
            type_name: class.type_name(),
            default,
            values,
            location: raw.location.clone(),
        })
    }

    fn convert(
        &self,
        raw: &RawSection,
        key: &str,
        ty: FieldType,
        v: &RawValue,
        loc: &Location,
        ref_stack: &mut Vec<String>,
    ) -> Result<Value, ConfigError> {
        let type_err = || ConfigError::Type {
            section: raw.name.clone(),
            key: key.to_string(),
            expected: ty.to_string(),
            value: v.describe(),
            location: loc.clone(),
        };
        Ok(match ty {
            FieldType::Str => match v {
                RawValue::Text(s) => Value::Str(s.clone()),
                RawValue::Int(i) => Value::Str(i.to_string()),
                RawValue::Bool(b) => Value::Str(b.to_string()),
                _ => return Err(type_err()),
            },
            FieldType::Bool => Value::Bool(convert_bool(v).ok_or_else(type_err)?),
            FieldType::Int => match v {
                RawValue::Int(i) => Value::Int(*i),
                RawValue::Text(s) => Value::Int(s.trim().parse().map_err(|_| type_err())?),
                _ => return Err(type_err()),
            },
            FieldType::Path => match v {
                RawValue::Text(s) => {
                    let p = PathBuf::from(s);
                    if p.is_relative() && !loc.is_builtin() {
                        let base = loc.path.parent().map(|d| d.join(&p));
                        Value::Path(base.unwrap_or(p))
                    } else {
                        Value::Path(p)
                    }
                }
                _ => return Err(type_err()),
            },
            FieldType::List => match v {
                RawValue::Text(s) => Value::List(split_words(s)),
                RawValue::List(items) => Value::List(
                    items
                        .iter()
                        .map(|i| match i {
                            RawValue::Text(s) => Ok(s.clone()),
                            RawValue::Int(n) => Ok(n.to_string()),
                            _ => Err(type_err()),
                        })
                        .collect::<Result<_, _>>()?,
                ),
                _ => return Err(type_err()),
            },
            FieldType::Ref(t) => {
                Value::Ref(self.convert_ref(raw, key, t, v, loc, None, ref_stack)?)
            }
            FieldType::Refs(t) => {
                let items: Vec<RawValue> = match v {
                    RawValue::Text(s) => split_words(s).into_iter().map(RawValue::Text).collect(),
                    RawValue::List(items) => items.clone(),
                    RawValue::Section(_) => vec![v.clone()],
                    _ => return Err(type_err()),
                };
                let mut out = Vec::new();
                for (n, item) in items.iter().enumerate() {
                    out.push(self.convert_ref(raw, key, t, item, loc, Some(n), ref_stack)?);
                }
                Value::Refs(out)
            }
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn convert_ref(
        &self,
        raw: &RawSection,
        key: &str,
        typename: &'static str,
        v: &RawValue,
        loc: &Location,
        index: Option<usize>,
        ref_stack: &mut Vec<String>,
    ) -> Result<SectionRef, ConfigError> {
        let resolved = match v {
            RawValue::Text(name) => self.resolve_named(name, Some((key, loc)), ref_stack)?,
            RawValue::Section(inline) => {
                let mut inline = (**inline).clone();
                inline.name = match index {
                    Some(n) => format!("{}.{key}.{n}", raw.name),
                    None => format!("{}.{key}", raw.name),
                };
                self.type_section(&inline, true, ref_stack)?
            }
            other => {
                return Err(ConfigError::Type {
                    section: raw.name.clone(),
                    key: key.to_string(),
                    expected: format!("ref:{typename}"),
                    value: other.describe(),
                    location: loc.clone(),
                });
            }
        };
        if resolved.type_name != typename {
            return Err(ConfigError::Type {
                section: raw.name.clone(),
                key: key.to_string(),
                expected: format!("ref:{typename}"),
                value: format!("section {:?} of type {}", resolved.name, resolved.type_name),
                location: loc.clone(),
            });
        }
        Ok(if resolved.inline {
            SectionRef::Inline(Box::new(resolved))
        } else {
            SectionRef::Named(resolved.name)
        })
    }

    /// Builds (once; later calls return the same object) the object of section `name`.
    pub fn instantiate(&self, name: &str) -> Result<Object, ConfigError> {
        self.instantiate_in(name, &mut Vec::new())
    }

    fn instantiate_in(&self, name: &str, stack: &mut Vec<String>) -> Result<Object, ConfigError> {
        if let Some(obj) = self.built.lock().ok().and_then(|b| b.get(name).cloned()) {
            return Ok(obj);
        }
        if let Some(raw) = self.raw_section(name)
            && self.is_template(name)
        {
            return Err(ConfigError::Build {
                section: name.to_string(),
                key: Some("inherit-only".into()),
                message: "this section is a template and cannot be built".into(),
                location: raw.location.clone(),
            });
        }
        let resolved = self.resolve(name)?;
        let obj = self.build_resolved(&resolved, stack)?;
        if let Ok(mut built) = self.built.lock() {
            built.insert(name.to_string(), obj.clone());
        }
        Ok(obj)
    }

    fn build_resolved(
        &self,
        section: &ResolvedSection,
        stack: &mut Vec<String>,
    ) -> Result<Object, ConfigError> {
        let Some(class) = self.registry.get(&section.class) else {
            return Err(ConfigError::UnknownClass {
                section: section.name.clone(),
                class: section.class.clone(),
                location: section.location_of("class").clone(),
            });
        };
        stack.push(section.name.clone());
        let mut ctx = BuildContext {
            manager: self,
            stack: std::mem::take(stack),
        };
        let result = class.build(section, &mut ctx);
        *stack = ctx.stack;
        stack.pop();
        result
    }

    /// Builds section `name` and downcasts its object to `T`.
    pub fn get<T: Any + Send + Sync>(&self, name: &str) -> Result<Arc<T>, ConfigError> {
        let obj = self.instantiate(name)?;
        let section = self.resolve(name)?;
        obj.downcast::<T>().map_err(|_| {
            section.error(
                None,
                format!("object is not a {}", std::any::type_name::<T>()),
            )
        })
    }

    /// The names of the sections of type `typename` (templates excluded).
    pub fn sections_of_type(&self, typename: &str) -> Result<Vec<String>, ConfigError> {
        let mut out = Vec::new();
        for name in self.sections.keys() {
            if self.is_template(name) {
                continue;
            }
            if self.resolve(name)?.type_name == typename {
                out.push(name.clone());
            }
        }
        Ok(out)
    }

    fn is_template(&self, name: &str) -> bool {
        self.raw_section(name).is_some_and(|raw| {
            raw.values
                .get("inherit-only")
                .is_some_and(|(v, _)| convert_bool(v) == Some(true))
        })
    }

    /// The name of the section of type `typename` marked `default` (or the only section of
    /// that type).
    pub fn default_name(&self, typename: &str) -> Result<String, ConfigError> {
        let names = self.sections_of_type(typename)?;
        let mut defaults = Vec::new();
        for n in &names {
            if self.resolve(n)?.default {
                defaults.push(n.clone());
            }
        }
        match (defaults.len(), names.len()) {
            (1, _) => Ok(defaults.remove(0)),
            (0, 1) => Ok(names[0].clone()),
            (0, _) => Err(ConfigError::NoDefault {
                typename: typename.to_string(),
                candidates: names,
            }),
            _ => Err(ConfigError::NoDefault {
                typename: typename.to_string(),
                candidates: defaults,
            }),
        }
    }

    /// Builds the default object of `typename`.
    pub fn get_default<T: Any + Send + Sync>(&self, typename: &str) -> Result<Arc<T>, ConfigError> {
        let name = self.default_name(typename)?;
        self.get::<T>(&name)
    }

    /// The resolved sections (optionally only those of `typename`) in the format of
    /// pkgcore's `pconfig dump`, sorted by name.
    pub fn dump(&self, typename: Option<&str>) -> Result<String, ConfigError> {
        let mut names: Vec<&String> = self.sections.keys().collect();
        names.sort();
        let mut out = String::new();
        for name in names {
            if self.is_template(name) {
                continue;
            }
            let s = self.resolve(name)?;
            if typename.is_some_and(|t| t != s.type_name) {
                continue;
            }
            let _ = writeln!(out, "{} {{", quote(name));
            dump_body(&self.registry, &s, 1, &mut out);
            out.push_str("}\n");
        }
        Ok(out)
    }
}

fn dump_body(registry: &Registry, s: &ResolvedSection, depth: usize, out: &mut String) {
    let ind = "    ".repeat(depth);
    let _ = writeln!(out, "{ind}# typename of this section: {}", s.type_name);
    let _ = writeln!(out, "{ind}class {};", s.class);
    if s.default {
        let _ = writeln!(out, "{ind}default true;");
    }
    let class = registry.get(&s.class);
    for (k, (v, _)) in &s.values {
        let ty = class
            .and_then(|c| c.fields().iter().find(|f| f.name == k))
            .map(|f| f.ty.to_string())
            .unwrap_or_else(|| "str".to_string());
        let _ = writeln!(out, "{ind}# type: {ty}");
        match v {
            Value::Str(x) => {
                let _ = writeln!(out, "{ind}{k} {};", quote(x));
            }
            Value::Bool(b) => {
                let _ = writeln!(out, "{ind}{k} {b};");
            }
            Value::Int(i) => {
                let _ = writeln!(out, "{ind}{k} {i};");
            }
            Value::Path(p) => {
                let _ = writeln!(out, "{ind}{k} {};", quote(&p.display().to_string()));
            }
            Value::List(l) => {
                let items: Vec<String> = l.iter().map(|x| quote(x)).collect();
                let _ = writeln!(out, "{ind}{k} {};", items.join(" "));
            }
            Value::Ref(r) => dump_ref(registry, k, r, depth, out),
            Value::Refs(rs) => {
                if rs.iter().all(|r| matches!(r, SectionRef::Named(_))) {
                    let items: Vec<String> = rs
                        .iter()
                        .filter_map(|r| match r {
                            SectionRef::Named(n) => Some(quote(n)),
                            SectionRef::Inline(_) => None,
                        })
                        .collect();
                    let _ = writeln!(out, "{ind}{k} {};", items.join(" "));
                } else {
                    for r in rs {
                        dump_ref(registry, k, r, depth, out);
                    }
                }
            }
        }
    }
}

fn dump_ref(registry: &Registry, key: &str, r: &SectionRef, depth: usize, out: &mut String) {
    let ind = "    ".repeat(depth);
    match r {
        SectionRef::Named(n) => {
            let _ = writeln!(out, "{ind}{key} {};", quote(n));
        }
        SectionRef::Inline(s) => {
            let _ = writeln!(out, "{ind}{key} {{");
            dump_body(registry, s, depth + 1, out);
            let _ = writeln!(out, "{ind}}};");
        }
    }
}

/// Single-quotes `s` the way `pconfig dump` prints strings.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

fn convert_bool(v: &RawValue) -> Option<bool> {
    match v {
        RawValue::Bool(b) => Some(*b),
        RawValue::Text(s) => match s.trim().to_ascii_lowercase().as_str() {
            "yes" | "true" | "1" | "on" => Some(true),
            "no" | "false" | "0" | "off" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn text_list(v: &RawValue) -> Vec<String> {
    match v {
        RawValue::Text(s) => split_words(s),
        RawValue::List(items) => items
            .iter()
            .filter_map(|i| match i {
                RawValue::Text(s) => Some(s.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Splits a list value: whitespace-separated words, `'...'` and `"..."` quoting, `\`
/// escapes.
pub fn split_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut has = false;
    let mut quote: Option<char> = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (_, '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
                has = true;
            }
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                has = true;
            }
            (None, c) if c.is_whitespace() => {
                if has {
                    out.push(std::mem::take(&mut cur));
                    has = false;
                }
            }
            (None, c) => {
                cur.push(c);
                has = true;
            }
        }
    }
    if has {
        out.push(cur);
    }
    out
}
