//! One module per subcommand; each has an args struct with `run`.

pub mod backtest;
pub mod config;
pub mod deploy;
pub mod il;
pub mod run;
pub mod statement;
pub mod status;
pub mod strangle;
pub mod tick;

/// A flat JSON object from keys and values that are already JSON literals
/// (exact decimal numbers are printed as written, never through `f64`).
#[must_use]
pub fn raw_json_object(fields: &[(&str, String)]) -> String {
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{}:{v}", serde_json::Value::String((*k).to_string())))
        .collect();
    format!("{{{}}}", body.join(","))
}

#[cfg(test)]
mod tests {
    #[test]
    fn raw_json_object_is_valid_json_with_exact_numbers() {
        let s = super::raw_json_object(&[
            ("ratio", "2".into()),
            ("il", "-0.057190958417936635".into()),
            ("ok", "true".into()),
        ]);
        assert_eq!(s, r#"{"ratio":2,"il":-0.057190958417936635,"ok":true}"#);
        let v: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(v["ok"], true);
    }
}
