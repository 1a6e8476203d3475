//! The hot terms of a bulletin draft: an editor strikes a term that should not be published
//! (a fragment, a name, a word that says nothing) or restores it, with a plain form.

use actix_web::{HttpRequest, HttpResponse, web};

use super::bulletins::{editor, load, parse_id, refused_in_place, step_done};
use super::{Form, PageError};
use crate::auth::Principal;
use crate::bulletin::model::Bulletin;
use crate::bulletin::render;
use crate::clock::china_offset;
use crate::intake::FieldIssue;
use crate::service::hot_issues::{HotTermEdit, edit_hot_term};
use crate::state::AppState;

/// A hot term on the draft page.
pub struct HotTermLine {
    pub term: String,
    /// `×3.2` or `新出现`, and the cases per day (or the case count of older bulletins).
    pub lift: String,
    pub figures: String,
    /// Who struck it and when, if struck.
    pub struck: Option<String>,
}

pub fn hot_term_lines(b: &Bulletin) -> Vec<HotTermLine> {
    b.figures
        .hot_issues
        .iter()
        .map(|h| HotTermLine {
            term: h.term.clone(),
            lift: render::lift(h.lift),
            figures: match (h.per_day, h.previous_per_day) {
                (Some(now), Some(before)) => format!(
                    "日均 {} 件，上期日均 {} 件",
                    render::per_day(now),
                    render::per_day(before)
                ),
                _ => format!("{} 件，上期 {} 件", h.count, h.previous_count),
            },
            struck: h.struck.as_ref().map(|s| {
                let at = s.at.with_timezone(&china_offset()).format("%Y-%m-%d %H:%M");
                format!("{} 于 {at} 删除", s.by)
            }),
        })
        .collect()
}

/// `POST /admin/bulletins/{id}/hot-terms` with `term` and `action` (`strike` or `restore`).
pub async fn hot_term(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let nav = editor(
        &req,
        &state,
        &principal,
        &format!("/admin/bulletins/{path}"),
    )?;
    let id = parse_id(&path)?;
    let form = Form::parse(&req, &body, "bulletin")?;
    let (edit, notice) = match form.get("action") {
        Some("strike") => (HotTermEdit::Strike, "struck"),
        Some("restore") => (HotTermEdit::Restore, "restored"),
        _ => {
            let issue = FieldIssue {
                field: "action".into(),
                code: "invalid".into(),
                message: "请选择删除或恢复".into(),
            };
            let b = load(&state, id).await?;
            return refused_in_place(&nav, &state, b, vec![issue]).await;
        }
    };
    let term = form.get("term").unwrap_or("").to_owned();
    let by = nav.email.clone();
    let now = state.clock.now();
    let result = state
        .with_db(move |conn| edit_hot_term(conn, id, &term, edit, &by, now))
        .await;
    step_done(&nav, &state, id, result, notice).await
}
