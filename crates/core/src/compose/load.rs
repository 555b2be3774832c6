//! Loading a project as the Compose CLI does: find the files, read `.env`, then per file parse,
//! interpolate, validate against the schema, normalise, resolve `extends` and `include`; merge
//! the files in order; name the project; apply profiles and `env_file`; check references.

use super::checks;
use super::merge::{merge, Tags};
use super::{dotenv, interpolate, normalize, refs, schema, yaml, Problem};
use crate::fsutil;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// The largest compose or env file read: a project's files come from folders anyone can write
/// (a cloned repository, the paths a container's labels name).
pub(super) const MAX_FILE: u64 = 8 << 20;
/// How deep `include` and `extends` may nest files, and how many files one load may read.
const MAX_NESTING: usize = 64;
const MAX_LOADS: usize = 1000;

/// The file names Compose looks for, in its order of preference.
pub const DEFAULT_FILES: [&str; 4] = ["compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"];

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The project folder; defaults to the first file's folder.
    pub project_dir: Option<PathBuf>,
    /// The files to merge in order; empty = the default names (and their `.override`).
    pub files: Vec<PathBuf>,
    /// The process environment; it wins over `.env`.
    pub env: BTreeMap<String, String>,
    /// `-p`; wins over COMPOSE_PROJECT_NAME and `name:`.
    pub name: Option<String>,
    /// `--profile`; empty = COMPOSE_PROFILES.
    pub profiles: Vec<String>,
    /// Unsaved contents by file path (the editor validates as you type).
    pub texts: HashMap<PathBuf, String>,
    /// Skip the cross-reference checks (undefined services, networks, volumes, cycles), as
    /// compose-go's own loader tests do.
    pub skip_consistency: bool,
}

/// A loaded project: the resolved configuration as `docker compose config` would print it.
#[derive(Debug, Clone)]
pub struct Project {
    pub name: String,
    pub working_dir: PathBuf,
    pub config_files: Vec<PathBuf>,
    /// Every compose file the loader read: the config files, their includes and extends.
    pub sources: Vec<PathBuf>,
    pub env_file: Option<PathBuf>,
    /// The variables interpolation used (`.env` under the process environment).
    pub env: BTreeMap<String, String>,
    pub active_profiles: Vec<String>,
    /// Every profile any service names.
    pub profiles: Vec<String>,
    /// Services left out because none of their profiles is active.
    pub disabled: Vec<String>,
    pub config: Value,
    pub warnings: Vec<String>,
}

type Res<T> = Result<T, Problem>;

/// Where the compose files of `dir` are: the first default name found there or in a parent
/// folder, plus its `.override` file.
pub fn find_files(dir: &Path) -> Res<Vec<PathBuf>> {
    for d in dir.ancestors() {
        if let Some(base) = DEFAULT_FILES.iter().map(|n| d.join(n)).find(|p| p.is_file()) {
            let name = base.file_name().unwrap_or_default().to_string_lossy().into_owned();
            let (stem, ext) = name.rsplit_once('.').unwrap_or((&name, "yaml"));
            let mut files = vec![base.clone()];
            let over = [format!("{stem}.override.{ext}"), format!("{stem}.override.{}", if ext == "yml" { "yaml" } else { "yml" })];
            files.extend(over.iter().map(|n| d.join(n)).find(|p| p.is_file()));
            return Ok(files);
        }
    }
    Err(Problem::new(format!(
        "No compose file was found in {} or its parent folders (looked for {})",
        dir.display(),
        DEFAULT_FILES.join(", ")
    )))
}

/// A project name as Compose derives it from a folder name: lower case, only `[a-z0-9_-]`,
/// starting with a letter or digit.
pub fn normalize_name(name: &str) -> String {
    let lower: String = name.to_lowercase().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect();
    lower.trim_start_matches(['_', '-']).to_string()
}

fn valid_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

/// The project's top-level compose files, as `load` picks them: `Options::files`, else
/// COMPOSE_FILE, else the default names.
pub fn config_files(opts: &Options) -> Res<Vec<PathBuf>> {
    let cwd = opts.project_dir.clone().unwrap_or_else(|| std::env::current_dir().unwrap_or_default());
    let mut files: Vec<PathBuf> = opts.files.iter().map(|f| if f.is_absolute() { f.clone() } else { cwd.join(f) }).collect();
    if files.is_empty() {
        if let Some(list) = opts.env.get("COMPOSE_FILE") {
            let sep = opts.env.get("COMPOSE_PATH_SEPARATOR").map(String::as_str).unwrap_or(":");
            files = list.split(sep).filter(|s| !s.is_empty()).map(|f| cwd.join(f)).collect();
        }
    }
    if files.is_empty() {
        files = find_files(&cwd)?;
    }
    Ok(files)
}

pub fn load(opts: &Options) -> Res<Project> {
    let cwd = opts.project_dir.clone().unwrap_or_else(|| std::env::current_dir().unwrap_or_default());
    let files = config_files(opts)?;
    let working_dir = opts.project_dir.clone().unwrap_or_else(|| files[0].parent().unwrap_or(&cwd).to_path_buf());

    let env_path = working_dir.join(".env");
    let mut env = BTreeMap::new();
    let env_file = (opts.texts.contains_key(&env_path) || env_path.exists()).then_some(env_path);
    if let Some(path) = &env_file {
        let text = read(path, opts, ".env file")?;
        env = dotenv::parse(&text, &|k| opts.env.get(k).cloned()).map_err(|e| Problem::new(e).in_file(path))?;
    }
    env.extend(opts.env.clone());

    let mut ctx = Ctx {
        opts,
        env: env.clone(),
        warnings: Vec::new(),
        chain: Vec::new(),
        cache: HashMap::new(),
        depth: 0,
        loads: 0,
        sources: Vec::new(),
    };
    let mut model = Value::Object(Map::new());
    for file in &files {
        let (doc, tags) = ctx.file(file, &working_dir)?;
        merge(&mut model, doc, "", &tags);
    }
    let Ctx { mut warnings, sources, .. } = ctx;

    let name = opts
        .name
        .clone()
        .or_else(|| env.get("COMPOSE_PROJECT_NAME").filter(|n| !n.is_empty()).cloned())
        .or_else(|| model.get("name").and_then(Value::as_str).map(str::to_string));
    let name = match name {
        Some(n) if valid_name(&n) => n,
        Some(n) => {
            return Err(Problem::new(format!(
            "\"{n}\" is not a valid project name: use lower-case letters, digits, dashes and underscores, starting with a letter or digit"
        ))
            .at("name", None))
        }
        None => normalize_name(&working_dir.file_name().unwrap_or_default().to_string_lossy()),
    };
    if name.is_empty() {
        return Err(Problem::new("The project has no name: add `name:` to the file or pick a folder name with letters or digits"));
    }
    if model.get("version").is_some() {
        warnings.push("The `version` attribute is obsolete and ignored; you can remove it.".into());
    }
    let obj = model.as_object_mut().expect("a merged model is a mapping");
    obj.remove("version");
    obj.insert("name".into(), json!(name));

    let active = if opts.profiles.is_empty() {
        env.get("COMPOSE_PROFILES").map(|p| p.split(',').map(str::trim).filter(|p| !p.is_empty()).map(str::to_string).collect())
    } else {
        Some(opts.profiles.clone())
    }
    .unwrap_or_default();
    refs::implicit_depends_on(&mut model);
    let (profiles, disabled) = apply_profiles(&mut model, &active);
    resolve_environment(&mut model, &env)?;
    if !opts.skip_consistency {
        checks::references(&model, &disabled)?;
    }
    finish_resources(&mut model, &name, &mut warnings);
    Ok(Project {
        name,
        working_dir,
        config_files: files,
        sources,
        env_file,
        env,
        active_profiles: active,
        profiles,
        disabled,
        config: model,
        warnings,
    })
}

/// [`load`] off the async workers and within [`FOLDER_TIMEOUT`](crate::blocking::FOLDER_TIMEOUT):
/// how the app loads a project, so a slow or hostile folder never holds up other work.
pub async fn load_async(opts: Options) -> crate::Result<Project> {
    let work = move || load(&opts).map_err(crate::Error::Compose);
    crate::blocking::run("Loading the compose files", crate::blocking::FOLDER_TIMEOUT, work).await
}

/// `path`'s unsaved text, else the file: a small regular one (`what` names it in the error).
fn read(path: &Path, opts: &Options, what: &str) -> Res<String> {
    if let Some(text) = opts.texts.get(path) {
        return Ok(text.clone());
    }
    fsutil::read_text_capped(path, MAX_FILE, what).map_err(|e| Problem::new(e.to_string()).in_file(path))
}

/// The same file however it is named (`./a.yaml`, a symlink), to find cycles.
fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

struct Ctx<'a> {
    opts: &'a Options,
    env: BTreeMap<String, String>,
    warnings: Vec<String>,
    /// Files being loaded through `include` / `extends`, to catch cycles.
    chain: Vec<PathBuf>,
    /// Files already loaded (by path and base folder) in this environment: `extends` chains
    /// name the same files again and again.
    cache: HashMap<(PathBuf, PathBuf), (Value, Tags)>,
    /// Files being loaded now, nested; and files loaded so far.
    depth: usize,
    loads: usize,
    sources: Vec<PathBuf>,
}

impl Ctx<'_> {
    /// One file, ready to merge: every document parsed, interpolated, validated, normalised
    /// (relative paths against `base`), with its `extends` and `include` resolved.
    fn file(&mut self, path: &Path, base: &Path) -> Res<(Value, Tags)> {
        let key = (path.to_path_buf(), base.to_path_buf());
        if let Some(done) = self.cache.get(&key) {
            return Ok(done.clone());
        }
        self.loads += 1;
        if self.loads > MAX_LOADS {
            return Err(Problem::new(format!("the project reads more than {MAX_LOADS} files through include and extends")).in_file(path));
        }
        if self.depth >= MAX_NESTING {
            return Err(Problem::new(format!("compose files are nested more than {MAX_NESTING} levels deep through include and extends"))
                .in_file(path));
        }
        self.depth += 1;
        let done = read(path, self.opts, "compose file").and_then(|text| {
            if !self.sources.iter().any(|s| s == path) {
                self.sources.push(path.to_path_buf());
            }
            self.text(&text, path, base)
        });
        self.depth -= 1;
        let done = done?;
        self.cache.insert(key, done.clone());
        Ok(done)
    }

    fn text(&mut self, text: &str, path: &Path, base: &Path) -> Res<(Value, Tags)> {
        let docs = yaml::parse(text).map_err(|e| Problem::new(e.message).in_file(path).at("", Some(e.line)))?;
        let mut merged: Option<(Value, Tags)> = None;
        for mut doc in docs {
            let at = |field: &str, doc: &yaml::Doc| doc.line(field);
            if doc.value.is_null() {
                doc.value = json!({});
            }
            if !doc.value.is_object() {
                return Err(Problem::new("top-level object must be a mapping").in_file(path).at("", Some(1)));
            }
            let env = self.env.clone();
            let mut unset = BTreeSet::new();
            let casts = interpolate::tree(&mut doc.value, &mut |k| {
                let v = env.get(k).cloned();
                if v.is_none() {
                    unset.insert(k.to_string());
                }
                v
            })
            .map_err(|(field, e)| Problem::new(e.to_string()).in_file(path).at(field.clone(), at(&field, &doc)))?;
            for k in unset {
                self.warnings.push(format!("The \"{k}\" variable is not set. Defaulting to a blank string."));
            }
            schema::validate(&doc.value, &casts.into_iter().collect())
                .map_err(|e| Problem::new(e.to_string()).in_file(path).at(e.path.clone(), at(&e.path, &doc)))?;
            checks::semantics(&doc.value, &mut self.warnings)
                .map_err(|(field, m)| Problem::new(m).in_file(path).at(field.clone(), at(&field, &doc)))?;
            normalize::document(&mut doc.value, base)
                .map_err(|(field, m)| Problem::new(m).in_file(path).at(field.clone(), at(&field, &doc)))?;
            let tags = Tags { resets: doc.resets.clone(), overrides: doc.overrides.clone() };
            self.extends(&mut doc.value, &tags).map_err(|p| {
                let line = p.field.as_deref().and_then(|f| doc.line(f));
                p.in_file(path).at("", line)
            })?;
            self.include(&mut doc.value, path).map_err(|p| p.in_file(path))?;
            match &mut merged {
                None => merged = Some((doc.value, tags)),
                Some((m, _)) => merge(m, doc.value, "", &tags),
            }
        }
        Ok(merged.unwrap_or_else(|| (json!({}), Tags::default())))
    }

    fn extends(&mut self, doc: &mut Value, tags: &Tags) -> Res<()> {
        let Some(services) = doc.get("services").and_then(Value::as_object).cloned() else { return Ok(()) };
        let mut done: BTreeMap<String, Value> = BTreeMap::new();
        for name in services.keys() {
            let svc = self.extended(name, &services, &mut done, &mut Vec::new(), tags)?;
            doc["services"][name] = svc;
        }
        Ok(())
    }

    /// Service `name` with its `extends` chain merged in (base first).
    fn extended(
        &mut self,
        name: &str,
        services: &Map<String, Value>,
        done: &mut BTreeMap<String, Value>,
        stack: &mut Vec<String>,
        tags: &Tags,
    ) -> Res<Value> {
        if let Some(v) = done.get(name) {
            return Ok(v.clone());
        }
        let field = format!("services.{name}.extends");
        let mut svc = services
            .get(name)
            .cloned()
            .ok_or_else(|| Problem::new(format!("cannot extend service \"{name}\": it is not defined")).at(field.clone(), None))?;
        let Some(ext) = svc.as_object_mut().and_then(|s| s.remove("extends")) else {
            done.insert(name.into(), svc.clone());
            return Ok(svc);
        };
        let base_name = ext["service"].as_str().unwrap_or_default().to_string();
        let mut base = match ext.get("file").and_then(Value::as_str) {
            Some(file) => {
                let file = PathBuf::from(file);
                if self.chain.contains(&canonical(&file)) {
                    return Err(Problem::new(format!("extends cycle through {}", file.display())).at(field, None));
                }
                self.chain.push(canonical(&file));
                let dir = file.parent().unwrap_or(Path::new("/")).to_path_buf();
                let (other, _) = self.file(&file, &dir)?;
                self.chain.pop();
                other["services"].get(&base_name).cloned().ok_or_else(|| {
                    Problem::new(format!("cannot extend service \"{base_name}\": {} does not define it", file.display()))
                        .at(field.clone(), None)
                })?
            }
            None => {
                if stack.iter().any(|s| s == &base_name) || base_name == name {
                    return Err(Problem::new(format!("service \"{name}\" extends itself through a cycle")).at(field, None));
                }
                stack.push(name.to_string());
                let b = self.extended(&base_name, services, done, stack, tags)?;
                stack.pop();
                b
            }
        };
        merge(&mut base, svc, &format!("services.{name}"), tags);
        done.insert(name.into(), base.clone());
        Ok(base)
    }

    /// Load every `include` entry as its own project and add its resources, refusing clashes.
    fn include(&mut self, doc: &mut Value, path: &Path) -> Res<()> {
        let Some(Value::Array(entries)) = doc.as_object_mut().and_then(|d| d.remove("include")) else { return Ok(()) };
        let dir = path.parent().unwrap_or(Path::new("/")).to_path_buf();
        for (i, entry) in entries.iter().enumerate() {
            let field = format!("include.{i}");
            let (paths, project_dir, env_files) = match entry {
                Value::String(p) => (vec![p.clone()], None, vec![]),
                Value::Object(o) => {
                    let list = |v: Option<&Value>| match v {
                        Some(Value::String(s)) => vec![s.clone()],
                        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_string).collect(),
                        _ => vec![],
                    };
                    (list(o.get("path")), o.get("project_directory").and_then(Value::as_str).map(str::to_string), list(o.get("env_file")))
                }
                _ => continue,
            };
            let files: Vec<PathBuf> = paths.iter().map(|p| PathBuf::from(normalize::absolute(&dir, p))).collect();
            let Some(first) = files.first() else { continue };
            let including = canonical(path);
            if let Some(f) = files.iter().find(|f| self.chain.contains(&canonical(f)) || canonical(f) == including) {
                return Err(Problem::new(format!("include cycle detected: {} includes itself", f.display())).at(field, None));
            }
            let base = project_dir
                .map(|d| PathBuf::from(normalize::absolute(&dir, &d)))
                .unwrap_or_else(|| first.parent().unwrap_or(&dir).to_path_buf());
            let saved_env = self.env.clone();
            let env_files: Vec<PathBuf> = if env_files.is_empty() {
                vec![base.join(".env")].into_iter().filter(|p| p.is_file()).collect()
            } else {
                env_files.iter().map(|p| PathBuf::from(normalize::absolute(&dir, p))).collect()
            };
            for ef in env_files {
                let text = read(&ef, self.opts, "env_file")?;
                let vars = dotenv::parse(&text, &|k| self.opts.env.get(k).cloned()).map_err(|e| Problem::new(e).in_file(&ef))?;
                for (k, v) in vars {
                    self.env.entry(k).or_insert(v);
                }
            }
            // The included files see their own environment: what was loaded outside it is not theirs.
            let saved_cache = std::mem::take(&mut self.cache);
            self.chain.push(including);
            let mut included = Value::Object(Map::new());
            for f in &files {
                let (d, tags) = self.file(f, &base)?;
                merge(&mut included, d, "", &tags);
            }
            self.chain.pop();
            self.env = saved_env;
            self.cache = saved_cache;
            for kind in ["services", "networks", "volumes", "secrets", "configs", "models"] {
                for (k, v) in included.get(kind).and_then(Value::as_object).into_iter().flatten() {
                    let target = doc.as_object_mut().expect("a document is a mapping").entry(kind).or_insert(json!({}));
                    match target.get(k) {
                        Some(existing) if existing != v => {
                            return Err(Problem::new(format!(
                                "imported compose file {} defines conflicting {} \"{k}\"",
                                files[0].display(),
                                kind.trim_end_matches('s')
                            ))
                            .at(format!("{kind}.{k}"), None))
                        }
                        _ => {
                            target[k] = v.clone();
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// Drop services none of whose profiles is active; returns (all profiles, disabled services).
fn apply_profiles(model: &mut Value, active: &[String]) -> (Vec<String>, Vec<String>) {
    let mut all = BTreeSet::new();
    let mut disabled = Vec::new();
    if let Some(services) = model.get_mut("services").and_then(Value::as_object_mut) {
        for (name, svc) in services.iter() {
            let profiles: Vec<&str> =
                svc.get("profiles").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
            all.extend(profiles.iter().map(|p| p.to_string()));
            let on = profiles.is_empty() || active.iter().any(|a| a == "*" || profiles.contains(&a.as_str()));
            if !on {
                disabled.push(name.clone());
            }
        }
        for name in &disabled {
            services.remove(name);
        }
    }
    (all.into_iter().collect(), disabled)
}

/// Fold `env_file` (and `label_file`) into `environment` (and `labels`), which win; a bare
/// `environment` name takes its value from the project environment or is dropped.
fn resolve_environment(model: &mut Value, env: &BTreeMap<String, String>) -> Res<()> {
    let Some(services) = model.get_mut("services").and_then(Value::as_object_mut) else { return Ok(()) };
    for (name, svc) in services.iter_mut() {
        let Some(s) = svc.as_object_mut() else { continue };
        for (files_key, target) in [("env_file", "environment"), ("label_file", "labels")] {
            let mut vars = Map::new();
            for f in s.get(files_key).and_then(Value::as_array).into_iter().flatten() {
                let path = PathBuf::from(f["path"].as_str().unwrap_or_default());
                let required = f["required"].as_bool().unwrap_or(true);
                if !required && !path.exists() {
                    continue;
                }
                let text = fsutil::read_text_capped(&path, MAX_FILE, files_key)
                    .map_err(|e| Problem::new(format!("service {name}: {e}")).at(format!("services.{name}.{files_key}"), None))?;
                let lookup = |k: &str| vars.get(k).and_then(Value::as_str).map(str::to_string).or_else(|| env.get(k).cloned());
                let parsed = dotenv::parse(&text, &lookup).map_err(|e| Problem::new(e).in_file(&path))?;
                vars.extend(parsed.into_iter().map(|(k, v)| (k, Value::String(v))));
            }
            if let Some(Value::Object(own)) = s.get(target) {
                vars.extend(own.clone());
            }
            if target == "environment" {
                vars = vars
                    .into_iter()
                    .filter_map(|(k, v)| match v {
                        Value::Null => env.get(&k).map(|e| (k, Value::String(e.clone()))),
                        v => Some((k, v)),
                    })
                    .collect();
            }
            if !vars.is_empty() || s.contains_key(target) {
                s.insert(target.into(), Value::Object(vars));
            }
            s.remove(files_key);
        }
    }
    Ok(())
}

/// The default network when a service uses none, and engine names for networks and volumes
/// (`<project>_<key>`, or the `name:` / external name given).
fn finish_resources(model: &mut Value, project: &str, warnings: &mut Vec<String>) {
    let mut needs_default = false;
    if let Some(services) = model.get_mut("services").and_then(Value::as_object_mut) {
        for svc in services.values_mut() {
            let Some(s) = svc.as_object_mut() else { continue };
            if !s.contains_key("networks") && !s.contains_key("network_mode") {
                s.insert("networks".into(), json!({"default": null}));
            }
            needs_default |= s.get("networks").and_then(|n| n.get("default")).is_some();
        }
    }
    let obj = model.as_object_mut().expect("a model is a mapping");
    if needs_default {
        let nets = obj.entry("networks").or_insert(json!({}));
        if nets.is_null() {
            *nets = json!({});
        }
        if let Some(nets) = nets.as_object_mut() {
            nets.entry("default").or_insert(json!({}));
        }
    }
    for kind in ["networks", "volumes"] {
        for (key, item) in obj.get_mut(kind).and_then(Value::as_object_mut).into_iter().flatten() {
            if item.is_null() {
                *item = json!({});
            }
            let Some(item) = item.as_object_mut() else { continue };
            let external_name = item.get("external").and_then(|e| e.get("name")).and_then(Value::as_str).map(str::to_string);
            if let Some(n) = external_name {
                warnings.push(format!("{kind}.{key}: external.name is deprecated; use name"));
                item.insert("name".into(), json!(n));
                item.insert("external".into(), json!(true));
            }
            if item.get("name").is_none() {
                let external = item.get("external").and_then(Value::as_bool).unwrap_or(false);
                item.insert("name".into(), json!(if external { key.clone() } else { format!("{project}_{key}") }));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        std::fs::write(dir.join(name), text).unwrap();
    }

    fn opts(dir: &Path, env: &[(&str, &str)]) -> Options {
        Options {
            project_dir: Some(dir.into()),
            env: env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            ..Default::default()
        }
    }

    /// Found by the `compose` fuzz target: a network named with a control character (the
    /// schema checks only names of `[a-zA-Z0-9._-]`) and set to `true` panicked while it was
    /// given its name.
    #[test]
    fn a_resource_that_is_not_a_mapping_does_not_panic() {
        let file = PathBuf::from("/nonexistent/compose.yaml");
        let text = "services:\n  a:\n    image: x\nnetworks:\n  n:\u{3}    external: true\n";
        let opts =
            Options { files: vec![file.clone()], texts: HashMap::from([(file, text.to_string())]), ..opts(Path::new("/nonexistent"), &[]) };
        let _ = load(&opts);
    }

    #[test]
    fn default_files_override_dotenv_and_names() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("My Shop.App");
        std::fs::create_dir(&dir).unwrap();
        write(&dir, "docker-compose.yml", "services:\n  web:\n    image: ${IMG}\n    ports: ['80']\n");
        write(&dir, "docker-compose.override.yml", "services:\n  web:\n    ports: ['81']\n    environment: [A=1]\n");
        write(&dir, ".env", "IMG=nginx\nCOMPOSE_PROFILES=\n");
        let p = load(&opts(&dir, &[])).unwrap();
        assert_eq!(p.name, "myshopapp");
        assert_eq!(p.config_files.len(), 2);
        assert_eq!(p.config["services"]["web"]["image"], "nginx");
        assert_eq!(p.config["services"]["web"]["ports"].as_array().unwrap().len(), 2);
        assert_eq!(p.config["services"]["web"]["environment"]["A"], "1");
        // The process environment wins over .env; COMPOSE_PROJECT_NAME over the folder.
        let p = load(&opts(&dir, &[("IMG", "caddy"), ("COMPOSE_PROJECT_NAME", "other")])).unwrap();
        assert_eq!((p.name.as_str(), &p.config["services"]["web"]["image"]), ("other", &serde_json::json!("caddy")));
        // A sub-folder finds the files of its parent, as the CLI does.
        std::fs::create_dir(dir.join("src")).unwrap();
        assert_eq!(find_files(&dir.join("src")).unwrap()[0], dir.join("docker-compose.yml"));
    }

    #[test]
    fn profiles_and_env_files() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        write(
            dir,
            "compose.yaml",
            "name: p\nservices:\n  app:\n    image: a\n    env_file: [app.env, {path: missing.env, required: false}]\n    environment: {B: own}\n  dbg:\n    image: b\n    profiles: [debug]\n",
        );
        write(dir, "app.env", "A=from-file\nB=from-file\n");
        let p = load(&opts(dir, &[])).unwrap();
        assert_eq!(p.disabled, ["dbg"]);
        assert_eq!(p.config["services"]["app"]["environment"], serde_json::json!({"A": "from-file", "B": "own"}));
        let p = load(&opts(dir, &[("COMPOSE_PROFILES", "debug")])).unwrap();
        assert!(p.disabled.is_empty());
        write(dir, "compose.yaml", "services:\n  app:\n    image: a\n    env_file: gone.env\n");
        let e = load(&opts(dir, &[])).unwrap_err();
        assert!(e.message.contains("gone.env"), "{e}");
        assert_eq!(e.field.as_deref(), Some("services.app.env_file"));
    }

    #[test]
    fn errors_name_file_line_and_field() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        write(dir, "compose.yaml", "services:\n  web:\n    image: a\n    ports: 80\n");
        let e = load(&opts(dir, &[])).unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (Some(4), Some("services.web.ports")));
        assert_eq!(e.to_string(), "compose.yaml, line 4: services.web.ports must be a list.");
        write(dir, "compose.yaml", "name: Bad Name\nservices: {}\n");
        assert!(load(&opts(dir, &[])).unwrap_err().message.contains("not a valid project name"));
    }
}
