//! Reference data and the API description (health is in `health`).

use actix_web::HttpResponse;
use utoipa::OpenApi;

use crate::domain::Taxonomy;

#[utoipa::path(get, path = "/api/v1/taxonomy", tag = "meta",
    responses((status = 200, description = "Categories, natures, districts and channels with Chinese labels", body = Taxonomy)))]
pub async fn taxonomy() -> HttpResponse {
    HttpResponse::Ok().json(Taxonomy::builtin())
}

#[utoipa::path(get, path = "/openapi.json", tag = "meta",
    responses((status = 200, description = "This document")))]
pub async fn openapi() -> HttpResponse {
    let mut doc = super::ApiDoc::openapi();
    doc.merge(super::cases::CasesDoc::openapi());
    doc.merge(super::integration::IntegrationDoc::openapi());
    doc.merge(super::documents::DocumentsDoc::openapi());
    doc.merge(super::analyst::AnalystDoc::openapi());
    doc.merge(super::bulletins::BulletinsDoc::openapi());
    doc.merge(super::disclosures::DisclosuresDoc::openapi());
    doc.merge(super::businesses::BusinessesDoc::openapi());
    doc.merge(super::warnings::WarningsDoc::openapi());
    doc.merge(super::scorecards::ScorecardsDoc::openapi());
    doc.merge(super::subject_requests::SubjectRequestsDoc::openapi());
    super::integration::describe_webhooks(&mut doc);
    document_extractor_errors(&mut doc);
    HttpResponse::Ok().json(doc)
}

/// Adds the errors the shared readers answer before a handler's own code runs, where an
/// operation's annotation does not list them: a JSON body (`body::json_body` and the payload
/// limit) can be malformed or missing (400), too large (413) or not JSON (415); a query string
/// whose values do not fit their types is refused by the extractor (400); an API write signed
/// in by the session cookie from another site is refused (403, `auth::same_origin`).
fn document_extractor_errors(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::{Operation, ParameterIn};
    use utoipa::openapi::{Content, Ref, RefOr, ResponseBuilder};

    let error = |description: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    Content::new(Some(Ref::from_schema_name("ErrorBody"))),
                )
                .build(),
        )
    };
    let add = |op: &mut Operation, status: &str, description: &str| {
        op.responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| error(description));
    };
    for (path, item) in doc.paths.paths.iter_mut() {
        let cookie_writes =
            path.starts_with("/api/") && !SESSION_FREE_WRITES.contains(&path.as_str());
        for op in [
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        .filter(|_| cookie_writes)
        {
            match op.responses.responses.get_mut("403") {
                Some(RefOr::T(forbidden)) => {
                    forbidden.description = format!("{}; or {CROSS_SITE}", forbidden.description);
                }
                _ => add(op, "403", &format!("Refused: {CROSS_SITE}")),
            }
        }
        let ops = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in ops.into_iter().flatten() {
            let json_body = matches!(&op.request_body,
                Some(RefOr::T(body)) if body.content.contains_key("application/json"));
            let query =
                op.parameters.iter().flatten().any(
                    |p| matches!(p, RefOr::T(p) if matches!(p.parameter_in, ParameterIn::Query)),
                );
            if json_body {
                add(op, "400", "Malformed or missing JSON body");
                add(op, "413", "Body over the size limit");
                add(op, "415", "Not JSON");
            }
            if query {
                add(
                    op,
                    "400",
                    "A query parameter that cannot be read as its type",
                );
            }
        }
    }
}

/// API writes that never read the session, so no cookie can sign them.
const SESSION_FREE_WRITES: [&str; 3] = [
    "/api/v1/auth/login",
    "/api/v1/wechat/login",
    "/api/v1/track/{case_no}/attachments",
];

const CROSS_SITE: &str = "a write signed in by the session cookie from another site (`csrf`)";
