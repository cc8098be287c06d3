//! What keeps the catalogue honest: every locale has every entry, with exactly English's
//! parameters, every plural form its language has, and no English left in it.

use std::collections::BTreeSet;

use super::*;

fn entries() -> Vec<&'static str> {
    Code::ALL.iter().map(|c| c.as_str()).chain(SERVER_MESSAGES.iter().copied()).collect()
}

fn shipped() -> Vec<&'static Locale> {
    locales().iter().map(|tag| find(tag).unwrap_or_else(|| panic!("{tag} does not load"))).collect()
}

#[test]
fn the_index_lists_every_file_and_each_file_names_itself() {
    let tags = locales();
    assert_eq!(tags.len(), 14);
    for tag in &tags {
        assert_eq!(&find(tag).unwrap().tag, tag);
    }
    for target in index().aliases.values() {
        assert!(tags.contains(target), "alias to unknown {target}");
    }
}

#[test]
fn every_locale_has_every_entry_and_no_other() {
    let wanted: BTreeSet<&str> = entries().into_iter().collect();
    for locale in shipped() {
        let have: BTreeSet<&str> = locale.messages.keys().map(String::as_str).collect();
        assert_eq!(have, wanted, "{}", locale.tag);
    }
    let fragments: BTreeSet<&str> = api_section("store_api").keys().map(String::as_str).collect();
    assert_eq!(fragments, wanted, "api.json's store_api");
}

#[test]
fn translations_take_exactly_the_english_parameters() {
    let english = english();
    for locale in shipped() {
        for (key, template) in &locale.messages {
            assert_eq!(template.params(), english.messages[key].params(), "{} {key}", locale.tag);
        }
    }
}

/// Every form an integer a message holds can take (the limits are far below a million,
/// where Spanish, French, Italian and Portuguese have a `many` form for 1,000,000).
#[test]
fn every_plural_has_each_form_of_its_language() {
    for locale in shipped() {
        let forms: BTreeSet<String> = (0..=100_000).map(|n| locale.plural_category(n).to_owned()).collect();
        let defined: BTreeSet<&str> = locale.plural.categories().chain(["other"]).collect();
        assert!(forms.iter().all(|f| defined.contains(f.as_str())));
        for (key, template) in &locale.messages {
            for cases in template.plural_cases() {
                let have: BTreeSet<String> = cases.into_iter().filter(|c| !c.starts_with('=')).collect();
                assert!(forms.is_subset(&have), "{} {key}: {have:?} lacks some of {forms:?}", locale.tag);
                assert!(have.iter().all(|f| defined.contains(f.as_str())), "{} {key}: {have:?}", locale.tag);
            }
        }
    }
}

#[test]
fn no_entry_is_left_in_english() {
    let english = english();
    let sample_params = || -> Params {
        Params::from_iter([("max".to_owned(), Value::from(300)), ("min".to_owned(), Value::from(9))])
    };
    for locale in shipped().into_iter().filter(|l| l.tag != "en") {
        for (key, template) in &locale.messages {
            let theirs = template.render(&sample_params(), locale);
            let ours = english.messages[key].render(&sample_params(), english);
            assert_ne!(theirs, ours, "{} {key} is English", locale.tag);
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
        for (key, template) in &locale.messages {
            for (name, value) in &variants {
                let mut params = Params::from_iter([("min".to_owned(), Value::from(9))]);
                params.insert((*name).to_owned(), value.clone());
                let text = template.render(&params, locale);
                assert!(!text.trim().is_empty() && !text.contains(['{', '}', '#']), "{} {key}: {text:?}", locale.tag);
            }
        }
    }
}

#[test]
fn the_arabic_catalogue_is_right_to_left_and_the_others_left_to_right() {
    for locale in shipped() {
        assert_eq!(locale.direction, if locale.tag == "ar" { "rtl" } else { "ltr" }, "{}", locale.tag);
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
    let wording = Wording { locale: Some("de".into()), overrides: Some(Arc::new(overrides)) };
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
    file["messages"]["required"] = "Bitte ausfüllen.".into();
    assert_eq!(add_locale(&file.to_string()).unwrap(), "de-CH");
    assert_eq!(resolve_locale("de-CH"), "de-CH");
    let wording = Wording { locale: Some("de-CH".into()), overrides: None };
    assert_eq!(wording.render("required", &Params::new(), &Path::root()), "Bitte ausfüllen.");
    for bad in ["{}", "[]", "not json", r#"{"tag":"de","direction":"up","cldr":{},"messages":{}}"#] {
        assert!(add_locale(bad).is_err(), "{bad}");
    }
}
