//! The store API's customers: create, read, list and search, update.

use super::*;

/// 404 unless the path names the token's store (put in the request by [`super::auth`]):
/// another store's path names nothing this token may see.
fn store_not_found() -> Resp {
    error(StatusCode::NOT_FOUND, "store not found")
}

/// The `Idempotency-Key` header (IETF draft "The Idempotency-Key HTTP Header Field"): a
/// Structured Field string, taken quoted or bare; 1–255 visible ASCII characters.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, Reject> {
    let mut values = headers.get_all("idempotency-key").iter();
    let Some(value) = values.next() else { return Ok(None) };
    let bad = || {
        Reject(
            StatusCode::BAD_REQUEST,
            "Idempotency-Key must be one string of 1 to 255 visible ASCII characters".into(),
        )
    };
    if values.next().is_some() {
        return Err(bad());
    }
    let text = value.to_str().map_err(|_| bad())?.trim();
    let key = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(text);
    let visible = key.bytes().all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\');
    if key.is_empty() || key.len() > 255 || !visible {
        return Err(bad());
    }
    Ok(Some(key.to_owned()))
}

/// `POST /api/v1/accounts/:account_id/customers`.
pub(crate) async fn create_customer<S: Storage>(
    State(st): Shared<S>,
    Extension(store): Extension<StoreInfo>,
    Extension(asked): Extension<Asked>,
    account: Result<UrlPath<String>, PathRejection>,
    req: Request,
) -> Resp {
    if store.id != id_param(account) {
        return store_not_found();
    }
    let key = match idempotency_key(req.headers()) {
        Ok(key) => key,
        Err(reject) => return reject.response(),
    };
    let input = match read_input(req, true, MAX_BODY).await {
        Ok(v) => v,
        Err(reject) => return reject.response(),
    };
    let valid = match Valid::store(&input, &store.options()) {
        Ok(v) => v,
        Err(report) => {
            return store_422(&asked, &report.errors);
        }
    };
    let key =
        key.map(|key| IdempotencyKey { key, body_hash: Sha256::digest(canonical(valid.value()).as_bytes()).into() });
    match st.db.create_customer(store.id, valid, key).await {
        Ok(customer) => json_response(StatusCode::CREATED, &customer),
        Err(CreateError::Rejected(violations)) => store_422(&asked, &violations),
        Err(CreateError::KeyReused) => store_422(&asked, &[key_reused()]),
        Err(CreateError::Storage(e)) => server_error(&e),
    }
}

/// The customer id of a `…/customers/:id` path, if the path names the token's store (else
/// 404 for the store) and a possible id (else 404 for the customer).
fn customer_id(store: &StoreInfo, ids: Result<UrlPath<(String, String)>, PathRejection>) -> Result<i64, Box<Resp>> {
    let (account, id) = match ids {
        Ok(UrlPath((account, id))) => (path_id(&account).unwrap_or(0), path_id(&id)),
        Err(_) => (0, None),
    };
    if store.id != account {
        return Err(Box::new(store_not_found()));
    }
    id.ok_or_else(|| Box::new(error(StatusCode::NOT_FOUND, "customer not found")))
}

/// `GET /api/v1/accounts/:account_id/customers/:id`.
pub(crate) async fn get_customer<S: Storage>(
    State(st): Shared<S>,
    Extension(store): Extension<StoreInfo>,
    ids: Result<UrlPath<(String, String)>, PathRejection>,
) -> Resp {
    let id = match customer_id(&store, ids) {
        Ok(id) => id,
        Err(resp) => return *resp,
    };
    match st.db.get_customer(store.id, id).await {
        Ok(Some(customer)) => json_response(StatusCode::OK, &customer),
        Ok(None) => error(StatusCode::NOT_FOUND, "customer not found"),
        Err(e) => server_error(&e.0),
    }
}

/// Searches shorter than this can't use the trigram index.
const SEARCH_MIN_CHARS: usize = 3;
/// `items` per page: the default and the most.
const ITEMS_DEFAULT: u32 = 25;
const ITEMS_MAX: u32 = 100;

/// `?search=&page=&items=` or `?source=&external_id=`, every problem reported at once in
/// the store error body.
fn customer_query(query: Option<&str>) -> Result<CustomerQuery, Vec<Violation>> {
    let (mut search, mut source, mut external_id, mut page, mut items) = (None, None, None, None, None);
    for (name, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        let (text, exact) = (value.trim().to_owned(), value.into_owned());
        match name.as_ref() {
            "search" => search = Some(text),
            "source" => source = Some(text),
            "external_id" => external_id = Some(text),
            "page" => page = Some(exact),
            "items" => items = Some(exact),
            _ => {}
        }
    }
    let mut errors = Vec::new();
    let mut number = |name: &'static str, text: Option<String>, default: u32, max: u32| -> u32 {
        let Some(text) = text.filter(|t| !t.is_empty()) else { return default };
        match text.parse::<u32>() {
            Ok(n) if (1..=max).contains(&n) => n,
            _ => {
                let params = Params::from_iter([("min".to_owned(), json!(1)), ("max".to_owned(), json!(max))]);
                errors.push(Violation::new(Path::root().key(name), Code::OutOfRange, params));
                default
            }
        }
    };
    let page = number("page", page, 1, u32::MAX / ITEMS_MAX);
    let items = number("items", items, ITEMS_DEFAULT, ITEMS_MAX);
    let lookup = match (source.filter(|s| !s.is_empty()), external_id.filter(|s| !s.is_empty())) {
        (Some(source), Some(external_id)) => Lookup::Reference { source, external_id },
        (Some(_), None) => {
            errors.push(Violation::new(Path::root().key("external_id"), Code::Required, Params::new()));
            Lookup::All
        }
        (None, Some(_)) => {
            errors.push(Violation::new(Path::root().key("source"), Code::Required, Params::new()));
            Lookup::All
        }
        (None, None) => match search.filter(|s| !s.is_empty()) {
            None => Lookup::All,
            Some(text) if is_card_code(&text) => Lookup::CardCode(text.to_ascii_lowercase()),
            Some(text) => {
                // A phone typed any way ("(212) 555-42") is searched by its digits, which
                // the index holds.
                let digits: String = text.chars().filter(char::is_ascii_digit).collect();
                let phone_like = text.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c));
                let phrase = if phone_like && digits.len() >= SEARCH_MIN_CHARS { digits } else { text };
                if phrase.chars().count() < SEARCH_MIN_CHARS {
                    let params = Params::from_iter([
                        ("reason".to_owned(), json!("too_short")),
                        ("min".to_owned(), json!(SEARCH_MIN_CHARS)),
                    ]);
                    errors.push(Violation::new(Path::root().key("search"), Code::InvalidValue, params));
                }
                Lookup::Search(phrase)
            }
        },
    };
    if errors.is_empty() {
        Ok(CustomerQuery { lookup, page, items })
    } else {
        Err(errors)
    }
}

/// A card code as people copy it: 8 or more characters of a UUID (hex digits and dashes,
/// with at least one of the letters a–f, so not a phone number).
fn is_card_code(text: &str) -> bool {
    text.len() >= 8
        && text.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
        && text.chars().any(|c| c.is_ascii_alphabetic())
}

/// `GET /api/v1/accounts/:account_id/customers`: a page of the store's customers, all,
/// searched, or looked up by external reference.
pub(crate) async fn list_customers<S: Storage>(
    State(st): Shared<S>,
    Extension(store): Extension<StoreInfo>,
    Extension(asked): Extension<Asked>,
    account: Result<UrlPath<String>, PathRejection>,
    req: Request,
) -> Resp {
    if store.id != id_param(account) {
        return store_not_found();
    }
    let query = match customer_query(req.uri().query()) {
        Ok(query) => query,
        Err(violations) => return store_422(&asked, &violations),
    };
    match st.db.list_customers(store.id, query).await {
        Ok(page) => json_response(StatusCode::OK, &page),
        Err(e) => server_error(&e.0),
    }
}

/// `PATCH /api/v1/accounts/:account_id/customers/:id`: a partial update, judged by the
/// update rules against the stored customer.
pub(crate) async fn patch_customer<S: Storage>(
    State(st): Shared<S>,
    Extension(store): Extension<StoreInfo>,
    Extension(asked): Extension<Asked>,
    ids: Result<UrlPath<(String, String)>, PathRejection>,
    req: Request,
) -> Resp {
    let id = match customer_id(&store, ids) {
        Ok(id) => id,
        Err(resp) => return *resp,
    };
    let patch = match read_input(req, true, MAX_BODY).await {
        Ok(v) => v,
        Err(reject) => return reject.response(),
    };
    match st.db.update_customer(store.id, id, patch, store.options()).await {
        Ok(Some(customer)) => json_response(StatusCode::OK, &customer),
        Ok(None) => error(StatusCode::NOT_FOUND, "customer not found"),
        Err(CreateError::Rejected(violations)) => store_422(&asked, &violations),
        Err(CreateError::KeyReused) => server_error("an update has no idempotency key"),
        Err(CreateError::Storage(e)) => server_error(&e),
    }
}
