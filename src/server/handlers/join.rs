//! `POST /join/:account_id`: the public sign-up.

use super::*;

/// The form field people leave empty and bots fill: a sign-up that fills it is answered as
/// accepted and stored nowhere.
pub const HONEYPOT: &str = "website";

/// Fields links to other systems need a token for: the public sign-up refuses them.
const TOKEN_ONLY_FIELDS: [&str; 2] = ["external_references", "metadata"];

/// `POST /join/:account_id`: public sign-up, no token, for stores that opened it. Rate
/// limited per client address and per store. A new customer and an email or phone already
/// taken get the same 202 (and the existing customer their card links again), so the
/// route tells nobody who is a customer.
pub(crate) async fn join<S: Storage>(
    State(st): Shared<S>,
    account: Result<UrlPath<String>, PathRejection>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Extension(asked): Extension<Asked>,
    req: Request,
) -> Resp {
    let not_found = || error(StatusCode::NOT_FOUND, "store not found");
    let store = match st.db.store(id_param(account)).await {
        Ok(Some(store)) if store.public_signup => store,
        Ok(_) => return not_found(),
        Err(e) => return server_error(&e.0),
    };
    let client = crate::server::client::client_address(peer.ip(), req.headers(), &st.trusted_proxies);
    let decision = st.join_limiter.check(client, store.id);
    let mut resp = if decision.allowed {
        join_answer(req, &store, &st, &asked).await
    } else {
        let wait = Params::from_iter([("wait".to_owned(), json!(decision.reset.as_secs().max(1)))]);
        error(StatusCode::TOO_MANY_REQUESTS, &server_message(&asked, "signup_rate_limited", &wait))
    };
    decision.write_headers(resp.headers_mut());
    resp
}

/// A message of the server's own: the request's locale, else the API's English.
fn server_message(asked: &Asked, key: &str, params: &Params) -> String {
    match &asked.0 {
        Some(_) => worded(Options::default(), asked).message(key, params),
        None => crate::messages::api_fragment(key, params),
    }
}

async fn join_answer<S: Storage>(req: Request, store: &StoreInfo, st: &AppState<S>, asked: &Asked) -> Resp {
    let message = server_message(asked, "signup_accepted", &Params::new());
    let accepted = || json_response(StatusCode::ACCEPTED, &json!({ "status": "accepted", "message": message }));
    let mut input = match read_input(req, true, MAX_BODY).await {
        Ok(v) => v,
        Err(reject) => return reject.response(),
    };
    if let Some(fields) = input.as_object_mut() {
        let trap = fields.remove(HONEYPOT);
        if trap.as_ref().and_then(Value::as_str).is_some_and(|v| !v.trim().is_empty()) {
            return accepted();
        }
    }
    let token_only: Vec<Violation> = TOKEN_ONLY_FIELDS
        .iter()
        .filter(|field| input.get("customer").and_then(|c| c.get(**field)).is_some())
        .map(|field| {
            let params = Params::from_iter([("reason".to_owned(), json!("needs_token"))]);
            Violation::new(Path::root().key("customer").key(*field), Code::UnknownField, params)
        })
        .collect();
    let valid = match Valid::store(&input, &store.options()) {
        Ok(valid) if token_only.is_empty() => valid,
        Ok(_) => return store_422(asked, &token_only),
        Err(report) => {
            let mut errors = report.errors;
            errors.extend(token_only);
            return store_422(asked, &errors);
        }
    };
    match st.db.join(store.id, valid).await {
        Ok(()) => accepted(),
        Err(CreateError::Rejected(violations)) => store_422(asked, &violations),
        Err(CreateError::KeyReused) => server_error("a sign-up has no idempotency key"),
        Err(CreateError::Storage(e)) => server_error(&e),
    }
}
