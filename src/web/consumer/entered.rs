//! What a consumer typed into a form, the problems found with it, and its conversion into the
//! same wire input the JSON API takes.

use chrono::NaiveDate;

use crate::intake::FieldIssue;
use crate::intake::input::{
    AdverseReactionInput, ComplaintInput, PersonInput, PlaceInput, ProductInput, PurchaseInput,
    ReportInput, RespondentInput, RightsHolderInput,
};

/// One input as a template shows it: its id, name, typed value and messages.
pub struct Input {
    pub id: String,
    pub name: String,
    pub value: String,
    pub errors: Vec<String>,
}

impl Input {
    pub fn invalid(&self) -> bool {
        !self.errors.is_empty()
    }

    pub fn is(&self, value: &str) -> bool {
        self.value == value
    }
}

/// The element id of the input named `name` (dotted names become dashed ids).
pub fn id_for(name: &str) -> String {
    format!("f-{}", name.replace(['.', '_'], "-"))
}

/// The input that shows an issue about `field`: most names are the intake's dotted paths;
/// amounts are typed in 元, and a missing section is reported on its first input.
fn input_for(field: &str) -> &str {
    match field {
        "purchase.amount_fen" => "purchase.amount_yuan",
        "complainant" => "complainant.name",
        "respondent" => "respondent.name",
        other => other,
    }
}

#[derive(Default)]
pub struct Entered {
    values: Vec<(String, String)>,
    pub issues: Vec<FieldIssue>,
}

impl Entered {
    pub fn new(values: Vec<(String, String)>) -> Entered {
        Entered {
            values,
            issues: Vec::new(),
        }
    }

    pub fn value(&self, name: &str) -> &str {
        self.values
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// A checkbox that starts checked: ticked on a fresh form, as sent on a form sent back.
    pub fn checked_by_default(&self, name: &str) -> bool {
        self.values.is_empty() || self.value(name) == "yes"
    }

    pub fn input(&self, name: &str) -> Input {
        Input {
            id: id_for(name),
            name: name.to_owned(),
            value: self.value(name).to_owned(),
            errors: self
                .issues
                .iter()
                .filter(|i| input_for(&i.field) == name)
                .map(|i| i.message.clone())
                .collect(),
        }
    }

    /// Every issue with the id of the input it belongs to, for the summary at the top.
    pub fn summary(&self) -> Vec<(String, String)> {
        self.issues
            .iter()
            .map(|i| (id_for(input_for(&i.field)), i.message.clone()))
            .collect()
    }

    /// Adds the intake's issues, except for fields this page already complained about.
    pub fn add_intake_issues(&mut self, issues: Vec<FieldIssue>) {
        let mine: Vec<String> = self.issues.iter().map(|i| i.field.clone()).collect();
        self.issues
            .extend(issues.into_iter().filter(|i| !mine.contains(&i.field)));
    }

    fn push(&mut self, field: &str, code: &str, message: &str) {
        self.issues.push(FieldIssue {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        });
    }

    /// The trimmed value, or `None` when left empty.
    fn text(&self, name: &str) -> Option<String> {
        let v = self.value(name).trim();
        (!v.is_empty()).then(|| v.to_owned())
    }

    fn any(&self, prefix: &str) -> bool {
        self.values
            .iter()
            .any(|(k, v)| k.starts_with(prefix) && !v.trim().is_empty())
    }

    fn date(&mut self, name: &str) -> Option<NaiveDate> {
        let raw = self.text(name)?;
        let parsed = NaiveDate::parse_from_str(&raw, "%Y-%m-%d").ok();
        if parsed.is_none() {
            self.push(name, "date", "日期请按 2026-10-02 的格式填写");
        }
        parsed
    }

    fn yes(&self, name: &str) -> Option<bool> {
        match self.value(name) {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        }
    }

    fn person(&self, at: &str) -> PersonInput {
        let f = |n: &str| self.text(&format!("{at}.{n}"));
        PersonInput {
            name: f("name"),
            phone: f("phone"),
            email: f("email"),
            address: f("address"),
            id_number: None,
            sms_notices: Some(self.value("sms_notices") == "yes"),
        }
    }

    fn respondent(&self) -> RespondentInput {
        let f = |n: &str| self.text(&format!("respondent.{n}"));
        RespondentInput {
            name: f("name"),
            uscc: f("uscc").map(|u| u.to_uppercase()),
            address: f("address"),
            district: f("district"),
            platform: self.text("purchase.platform"),
        }
    }

    fn product(&self) -> Option<ProductInput> {
        let f = |n: &str| self.text(&format!("product.{n}"));
        self.any("product.").then(|| ProductInput {
            name: f("name"),
            brand: f("brand"),
            cosmetics_id: f("cosmetics_id"),
            batch: f("batch"),
        })
    }

    fn purchase(&mut self) -> Option<PurchaseInput> {
        if !self.any("purchase.") {
            return None;
        }
        let amount_fen = match self.text("purchase.amount_yuan") {
            None => None,
            Some(raw) => {
                let fen = yuan_to_fen(&raw);
                if fen.is_none() {
                    self.push(
                        "purchase.amount_fen",
                        "amount",
                        "金额请填写数字（单位：元），例如 129.50",
                    );
                }
                fen
            }
        };
        let quantity = match self.text("purchase.quantity") {
            None => None,
            Some(raw) => {
                let q = raw.trim().parse::<i64>().ok();
                if q.is_none() {
                    self.push("purchase.quantity", "range", "数量请填写整数，例如 2");
                }
                q
            }
        };
        Some(PurchaseInput {
            date: self.date("purchase.date"),
            amount_fen,
            online: self.yes("purchase.online"),
            platform: self.text("purchase.platform"),
            order_no: self.text("purchase.order_no"),
            quantity,
        })
    }

    fn adverse_reaction(&mut self) -> Option<AdverseReactionInput> {
        if !self.any("adverse_reaction.") {
            return None;
        }
        let f = |s: &Self, n: &str| s.text(&format!("adverse_reaction.{n}"));
        Some(AdverseReactionInput {
            onset_date: self.date("adverse_reaction.onset_date"),
            symptoms: f(self, "symptoms"),
            body_site: f(self, "body_site"),
            severity: f(self, "severity"),
            started_use: self.date("adverse_reaction.started_use"),
            stopped_use: self.date("adverse_reaction.stopped_use"),
            treatment: f(self, "treatment"),
            allergy_history: f(self, "allergy_history"),
        })
    }

    /// The complaint as the API would receive it; problems only a form can have (an amount
    /// or date that is not one) are recorded here.
    pub fn complaint(&mut self) -> ComplaintInput {
        ComplaintInput {
            channel: Some("web".into()),
            complainant: Some(self.person("complainant")),
            respondent: Some(self.respondent()),
            product: self.product(),
            purchase: self.purchase(),
            adverse_reaction: self.adverse_reaction(),
            category: self.text("category"),
            nature: self.text("nature"),
            title: self.text("title"),
            description: self.text("description"),
            claim: self.text("claim"),
            prefer_odr: Some(self.value("prefer_odr") == "yes"),
            // A clear yes or no, no by default: only an explicit 同意 counts.
            disclosure_consent: Some(self.value("disclosure_consent") == "yes"),
        }
    }

    pub fn report(&mut self) -> ReportInput {
        ReportInput {
            channel: Some("web".into()),
            reporter: self.any("reporter.").then(|| self.person("reporter")),
            respondent: Some(self.respondent()),
            place: Some(PlaceInput {
                district: self.text("place.district"),
                address: self.text("place.address"),
            }),
            product: self.product(),
            purchase: self.purchase(),
            category: self.text("category"),
            nature: self.text("nature"),
            title: self.text("title"),
            description: self.text("description"),
            // 「我是权利人（企业）」: its fields count only when the box is ticked, and then
            // each is required.
            rights_holder: (self.value("rights_holder") == "yes").then(|| RightsHolderInput {
                uscc: self.text("rights_holder.uscc"),
                name: self.text("rights_holder.name"),
                contact_name: self.text("rights_holder.contact_name"),
                contact_phone: self.text("rights_holder.contact_phone"),
            }),
        }
    }
}

/// "129.5", "¥1,299.00" or "129元" in fen; `None` for anything else or more than two decimals.
pub fn yuan_to_fen(raw: &str) -> Option<i64> {
    let cleaned: String = raw
        .trim()
        .trim_start_matches(['¥', '￥'])
        .trim_end_matches('元')
        .chars()
        .filter(|c| *c != ',' && *c != '，')
        .collect();
    let (whole, frac) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || whole.len() > 12 || !digits(whole) || frac.len() > 2 || !digits(frac) {
        return None;
    }
    let yuan: i64 = whole.parse().ok()?;
    let fen: i64 = format!("{frac:0<2}").parse().ok()?;
    yuan.checked_mul(100)?.checked_add(fen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_in_yuan_become_fen() {
        assert_eq!(yuan_to_fen("129"), Some(12900));
        assert_eq!(yuan_to_fen("129.5"), Some(12950));
        assert_eq!(yuan_to_fen("¥1,299.05"), Some(129905));
        assert_eq!(yuan_to_fen("0.01元"), Some(1));
        assert_eq!(yuan_to_fen("12.345"), None);
        assert_eq!(yuan_to_fen("abc"), None);
        assert_eq!(yuan_to_fen("-5"), None);
        assert_eq!(yuan_to_fen(".5"), None);
    }

    #[test]
    fn issues_land_on_their_inputs() {
        let mut e = Entered::new(vec![
            ("purchase.amount_yuan".into(), "十元".into()),
            ("complainant.phone".into(), "123".into()),
        ]);
        let input = e.complaint();
        assert_eq!(input.purchase.and_then(|p| p.amount_fen), None);
        assert_eq!(e.input("purchase.amount_yuan").errors.len(), 1);
        assert_eq!(e.input("complainant.phone").value, "123");
        assert_eq!(id_for("complainant.phone"), "f-complainant-phone");
    }
}
