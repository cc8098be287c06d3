//! What keeps the catalogue honest: every locale has every entry, with exactly English's
//! parameters, every plural form its language has, and no English left in it.

use std::collections::BTreeSet;

use super::*;

fn entries() -> Vec<&'static str> {
    Code::ALL.iter().map(|c| c.as_str()).chain(SERVER_MESSAGES.iter().copied()).collect()
}

fn shipped() -> Vec<&'static Locale> {
    locales()
        .iter()
        .map(|tag| Locale::parse(builtin(tag).unwrap()).unwrap_or_else(|e| panic!("{tag} does not load: {e}")))
        .map(|l| &*Box::leak(Box::new(l)))
        .collect()
}

fn keys(locale: &Locale) -> BTreeSet<&str> {
    locale.0["messages"].as_object().unwrap().keys().map(String::as_str).collect()
}

fn each_message(locale: &Locale) -> Vec<(&str, &str)> {
    locale.0["messages"].as_object().unwrap().iter().map(|(k, v)| (k.as_str(), v.as_str().unwrap())).collect()
}

#[test]
fn every_file_names_itself_and_the_folder_holds_no_other() {
    for tag in locales() {
        assert_eq!(find(&tag).unwrap().tag(), tag);
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/messages/locales");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().trim_end_matches(".json").to_owned())
        .collect();
    files.sort();
    let mut tags = locales();
    tags.sort();
    assert_eq!(files, tags);
    for (_, target) in ALIASES {
        assert!(LOCALES.contains(&target), "alias to unknown {target}");
    }
}

#[test]
fn every_locale_has_every_entry_and_no_other() {
    let wanted: BTreeSet<&str> = entries().into_iter().collect();
    for locale in shipped() {
        assert_eq!(keys(locale), wanted, "{}", locale.tag());
    }
    let api = english_file("#api", include_str!("api.json"));
    let fragments: BTreeSet<&str> = api.0["store_api"].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(fragments, wanted, "api.json's store_api");
    for (key, template) in api.0["store_api"].as_object().unwrap() {
        template::check(template.as_str().unwrap(), english()).unwrap_or_else(|e| panic!("api.json {key}: {e}"));
    }
}

#[test]
fn translations_take_exactly_the_english_parameters() {
    let english = english();
    for locale in shipped() {
        for (key, template) in each_message(locale) {
            let (theirs, _) = template::tests::anatomy(template, locale);
            let (ours, _) = template::tests::anatomy(english.message(key).unwrap(), english);
            assert_eq!(theirs, ours, "{} {key}", locale.tag());
        }
    }
}

/// Every form an integer a message holds can take (the limits are far below a million,
/// where Spanish, French, Italian and Portuguese have a `many` form for 1,000,000).
#[test]
fn every_plural_has_each_form_of_its_language() {
    for locale in shipped() {
        let forms: BTreeSet<String> = (0..=20_000).map(|n| locale.plural_category(n).to_owned()).collect();
        let defined: BTreeSet<&str> =
            locale.0["cldr"]["plural"].as_object().unwrap().keys().map(String::as_str).chain(["other"]).collect();
        assert!(forms.iter().all(|f| defined.contains(f.as_str())));
        for (key, template) in each_message(locale) {
            let (_, have) = template::tests::anatomy(template, locale);
            if have.is_empty() {
                continue;
            }
            assert!(forms.is_subset(&have), "{} {key}: {have:?} lacks some of {forms:?}", locale.tag());
            assert!(have.iter().all(|f| defined.contains(f.as_str())), "{} {key}: {have:?}", locale.tag());
        }
    }
}

#[test]
fn no_entry_is_left_in_english() {
    let english = english();
    let sample_params =
        || -> Params { Params::from_iter([("max".to_owned(), Value::from(300)), ("min".to_owned(), Value::from(9))]) };
    let render = |template: &str, locale: &Locale| {
        let mut out = String::new();
        template::render(template, &sample_params(), locale, &mut out).unwrap();
        out
    };
    for locale in shipped().into_iter().filter(|l| l.tag() != "en") {
        for (key, template) in each_message(locale) {
            let ours = render(english.message(key).unwrap(), english);
            assert_ne!(render(template, locale), ours, "{} {key} is English", locale.tag());
        }
    }
}

#[test]
fn every_message_renders_without_placeholders_for_each_variant() {
    let variants: [(&str, Value); 12] = [
        ("reason", "dots".into()),
        ("reason", "too_short".into()),
        ("reason", "too_long".into()),
        ("reason", "format".into()),
        ("reason", "blank".into()),
        ("reason", "unknown_card".into()),
        ("part", "local_part".into()),
        ("format", "YYYY-MM-DD or MM-DD".into()),
        ("max", 1.into()),
        ("max", 2.into()),
        ("max", 16384.into()),
        ("wait", 3.into()),
    ];
    for locale in shipped() {
        for (key, template) in each_message(locale) {
            for (name, value) in &variants {
                let mut params = Params::from_iter([("min".to_owned(), Value::from(9))]);
                params.insert((*name).to_owned(), value.clone());
                let mut text = String::new();
                template::render(template, &params, locale, &mut text).unwrap();
                assert!(!text.trim().is_empty() && !text.contains(['{', '}', '#']), "{} {key}: {text:?}", locale.tag());
            }
        }
    }
}

#[test]
fn the_arabic_catalogue_is_right_to_left_and_the_others_left_to_right() {
    for locale in shipped() {
        let expected = if locale.tag() == "ar" { "rtl" } else { "ltr" };
        assert_eq!(locale.0["direction"], expected, "{}", locale.tag());
    }
    assert_eq!(direction("ar-EG"), "rtl");
    assert_eq!(direction("de"), "ltr");
}

#[test]
fn overrides_win_per_field_then_per_code() {
    let overrides = Messages::from_json(&serde_json::json!({
        "invalid_email": "Bad address ({reason})",
        "customer.email": { "invalid_email": "Your email, please" }
    }))
    .unwrap();
    let wording = Wording { locale: Some("de".into()), overrides: Some(std::sync::Arc::new(overrides)) };
    let params = Params::from_iter([("reason".to_owned(), Value::from("dots"))]);
    let field = Path::root().key("customer").key("email");
    assert_eq!(wording.render("invalid_email", &params, &field), "Your email, please");
    assert_eq!(wording.render("invalid_email", &params, &Path::root().key("email_address")), "Bad address (dots)");
    assert!(wording.render("required", &Params::new(), &field).starts_with("Bitte"));
    for bad in [
        serde_json::json!({ "no_such_code": "x" }),
        serde_json::json!({ "invalid_email": "{reason, plural, one {x}}" }),
        serde_json::json!({ "invalid_email": 3 }),
        serde_json::json!({ "customer.email": { "nope": "x" } }),
        serde_json::json!(["x"]),
    ] {
        assert!(Messages::from_json(&bad).is_err(), "{bad}");
    }
}

#[test]
fn an_added_locale_is_used_and_a_bad_file_refused() {
    let mut file: Value = serde_json::from_str(builtin("de").unwrap()).unwrap();
    file["tag"] = "de-CH".into();
    file["messages"]["taken"] = "{broken".into();
    assert!(add_locale(&file.to_string()).is_err(), "a malformed template is refused");
    file["messages"]["taken"] = "Schon vergeben.".into();
    file["messages"]["required"] = "Bitte ausfüllen.".into();
    assert_eq!(add_locale(&file.to_string()).unwrap(), "de-CH");
    assert_eq!(resolve_locale("de-CH"), "de-CH");
    let wording = Wording { locale: Some("de-CH".into()), overrides: None };
    assert_eq!(wording.render("required", &Params::new(), &Path::root()), "Bitte ausfüllen.");
    for bad in ["{}", "[]", "not json", r#"{"tag":"de","direction":"up","cldr":{},"messages":{}}"#] {
        assert!(add_locale(bad).is_err(), "{bad}");
    }
}
