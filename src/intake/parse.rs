//! Wire input → `NewCase`, a complaint or report whose every field has been checked.

use chrono::{DateTime, NaiveDate, Utc};
use validator::Validate;

use super::input::{
    AdverseReactionInput, ComplaintInput, PersonInput, ProductInput, PurchaseInput, ReportInput,
    RespondentInput,
};
use super::issues::{Issues, optional_text};
use crate::clock::china_date;
use crate::domain::case::CaseKind;
use crate::domain::platforms::fallback_district;
use crate::domain::severity::Severity;
use crate::domain::{
    CategoryCode, Channel, CosmeticsId, DistrictCode, Email, Fen, Nature, Phone, PolicyTable, Uscc,
};

pub use super::issues::FieldIssue;

/// What parsing needs besides the input: time, the policy table and who is keying it in.
pub struct IntakeContext<'a> {
    pub now: DateTime<Utc>,
    /// When the bureau received it: `now` for online intake, the date keyed in by staff.
    pub received_at: DateTime<Utc>,
    /// Staff may key in phone, letter and visit channels; the public may not.
    pub staff: bool,
    /// The competent bureau is not known yet (a 12315 work order whose address the gazetteer
    /// cannot place): the city stands in for the district and the case waits for the city's
    /// unified intake unit to dispatch it, which only rules with such a unit allow. Only the
    /// work-order import sets this; online and staff intake still need the district.
    pub unplaced: bool,
    pub policy: &'a PolicyTable,
}

#[derive(Debug, Clone)]
pub struct Person {
    pub name: Option<String>,
    pub phone: Option<Phone>,
    pub email: Option<Email>,
    pub address: Option<String>,
    pub id_number: Option<String>,
    /// Consented to hear of the case by SMS (only meaningful with a phone).
    pub sms_notices: bool,
}

#[derive(Debug, Clone)]
pub struct Respondent {
    pub name: String,
    pub uscc: Option<Uscc>,
    pub address: Option<String>,
    pub district: DistrictCode,
    pub platform: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Product {
    pub name: String,
    pub brand: Option<String>,
    pub cosmetics_id: Option<CosmeticsId>,
    pub batch: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Purchase {
    pub date: Option<NaiveDate>,
    pub amount: Option<Fen>,
    pub online: bool,
    pub platform: Option<String>,
    pub order_no: Option<String>,
    /// Units bought.
    pub quantity: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct AdverseReaction {
    pub onset_date: NaiveDate,
    pub symptoms: String,
    pub body_site: String,
    pub severity: Severity,
    pub started_use: Option<NaiveDate>,
    pub stopped_use: Option<NaiveDate>,
    pub treatment: Option<String>,
    pub allergy_history: Option<String>,
}

/// A checked submission, ready to be numbered and stored.
#[derive(Debug, Clone)]
///
/// Its state and first due date depend on routing, which needs stored data: intake decides
/// them (`service::submit`), not parsing.
pub struct NewCase {
    pub kind: CaseKind,
    pub channel: Channel,
    pub received_at: DateTime<Utc>,
    pub received_date: NaiveDate,
    pub policy_version: String,
    /// The competent bureau's district.
    pub district: DistrictCode,
    pub category: Option<CategoryCode>,
    pub nature: Nature,
    pub title: String,
    pub description: String,
    pub claim: Option<String>,
    pub prefer_odr: bool,
    /// The complainant agreed to publication (是否同意公示投诉信息): their own answer, online
    /// or on the paper form staff key in; always false for a report and a 12315 work order.
    pub disclosure_consent: bool,
    /// Complainant or reporter; `None` for an anonymous report.
    pub person: Option<Person>,
    pub respondent: Respondent,
    pub product: Option<Product>,
    pub purchase: Option<Purchase>,
    pub adverse_reaction: Option<AdverseReaction>,
    /// Opened awaiting dispatch by the unified intake unit (`IntakeContext::unplaced`).
    pub awaiting_dispatch: bool,
    /// A report's reporter is the rights holder (a business); staff alone see it.
    pub rights_holder: Option<super::rights_holder::RightsHolder>,
}

pub fn parse_complaint(
    input: &ComplaintInput,
    ctx: &IntakeContext,
) -> Result<NewCase, Vec<FieldIssue>> {
    let mut issues = Issues::default();
    if let Err(e) = input.validate() {
        issues.add_validator_errors("", &e);
    }
    let received_date = china_date(ctx.received_at);
    let channel = parse_channel(&mut issues, &input.channel, ctx.staff);
    let person = match &input.complainant {
        Some(p) => parse_person(&mut issues, "complainant", p, true),
        None => {
            issues.required("complainant");
            None
        }
    };
    let respondent = parse_respondent(&mut issues, input.respondent.as_ref(), true, ctx.unplaced);
    let category = match &input.category {
        Some(c) => issues.take("category", c.trim().parse::<CategoryCode>()),
        None => {
            issues.required("category");
            None
        }
    };
    let nature = parse_nature(&mut issues, &input.nature).filter(|n| {
        let complaint_may = !n.reports_only();
        if !complaint_may {
            issues.push(
                "nature",
                "nature_report_only",
                "商标、专利、著作权侵权不属于消费纠纷，请通过举报提交；买到假货请选「假冒」",
            );
        }
        complaint_may
    });
    let title = issues.required_text("title", &input.title);
    let description = issues.required_text("description", &input.description);
    let claim = issues.required_text("claim", &input.claim);
    let product = input
        .product
        .as_ref()
        .and_then(|p| parse_product(&mut issues, p));
    let purchase = input
        .purchase
        .as_ref()
        .map(|p| parse_purchase(&mut issues, p, received_date));
    let adverse_reaction = input
        .adverse_reaction
        .as_ref()
        .and_then(|a| parse_adverse(&mut issues, a, received_date));
    let policy = select_policy(&mut issues, ctx, received_date);
    issues.into_result(|| {
        let respondent = respondent?;
        Some(NewCase {
            kind: CaseKind::Complaint,
            channel: channel?,
            received_at: ctx.received_at,
            received_date,
            policy_version: policy?,
            district: respondent.district.clone(),
            category,
            nature: nature?,
            title: title?,
            description: description?,
            claim,
            prefer_odr: input.prefer_odr.unwrap_or(false),
            disclosure_consent: input.disclosure_consent == Some(true),
            person: Some(person?),
            respondent,
            product,
            purchase,
            adverse_reaction,
            awaiting_dispatch: ctx.unplaced,
            rights_holder: None,
        })
    })
}

pub fn parse_report(input: &ReportInput, ctx: &IntakeContext) -> Result<NewCase, Vec<FieldIssue>> {
    let mut issues = Issues::default();
    if let Err(e) = input.validate() {
        issues.add_validator_errors("", &e);
    }
    let received_date = china_date(ctx.received_at);
    let channel = parse_channel(&mut issues, &input.channel, ctx.staff);
    // A reporter may stay anonymous; whatever they do give must still be well-formed.
    let person = input
        .reporter
        .as_ref()
        .and_then(|p| parse_person(&mut issues, "reporter", p, false));
    let respondent = parse_respondent(&mut issues, input.respondent.as_ref(), false, ctx.unplaced);
    let place_district = match input.place.as_ref().and_then(|p| p.district.as_deref()) {
        Some(d) => issues.take("place.district", d.trim().parse::<DistrictCode>()),
        None if ctx.unplaced => Some(DistrictCode::city()),
        None => {
            issues.required("place.district");
            None
        }
    };
    let category = input
        .category
        .as_ref()
        .and_then(|c| issues.take("category", c.trim().parse::<CategoryCode>()));
    let nature = parse_nature(&mut issues, &input.nature);
    let description = issues.required_text("description", &input.description);
    let title = optional_text(&input.title)
        .or_else(|| description.as_ref().map(|d| d.chars().take(30).collect()));
    let product = input
        .product
        .as_ref()
        .and_then(|p| parse_product(&mut issues, p));
    let purchase = input
        .purchase
        .as_ref()
        .map(|p| parse_purchase(&mut issues, p, received_date));
    let rights_holder = input
        .rights_holder
        .as_ref()
        .map(|r| super::rights_holder::parse(&mut issues, r));
    let policy = select_policy(&mut issues, ctx, received_date);
    issues.into_result(|| {
        Some(NewCase {
            kind: CaseKind::Report,
            channel: channel?,
            received_at: ctx.received_at,
            received_date,
            policy_version: policy?,
            district: place_district?,
            category,
            nature: nature?,
            title: title?,
            description: description?,
            claim: None,
            prefer_odr: false,
            disclosure_consent: false,
            person,
            respondent: respondent?,
            product,
            purchase,
            adverse_reaction: None,
            awaiting_dispatch: ctx.unplaced,
            rights_holder: optional_parsed(rights_holder)?,
        })
    })
}

/// The id of the policy version in force on the day received.
fn select_policy(issues: &mut Issues, ctx: &IntakeContext, received: NaiveDate) -> Option<String> {
    if ctx.received_at > ctx.now {
        issues.push("received_at", "date_in_future", "受理日期不能晚于今天");
        return None;
    }
    match ctx.policy.select(received) {
        // Order 20 has no unified intake unit (dispatch is Order 121 Art. 41): a case under it
        // cannot wait for one, the receiving bureau settles its competence itself.
        Some(v) if ctx.unplaced && !v.unified_dispatch => {
            issues.push(
                "respondent.district",
                "no_dispatcher",
                format!(
                    "无法根据地址确定辖区；登记时适用{}，没有统一接收机构分送，请确定管辖局后登记",
                    v.name
                ),
            );
            None
        }
        Some(v) => Some(v.id.clone()),
        None => {
            issues.push("received_at", "no_policy", "该日期没有适用的处理时限规定");
            None
        }
    }
}

fn parse_channel(issues: &mut Issues, v: &Option<String>, staff: bool) -> Option<Channel> {
    let Some(text) = v else {
        issues.required("channel");
        return None;
    };
    let channel = issues.take("channel", text.trim().parse::<Channel>())?;
    if channel.is_staff_keyed() && !staff {
        issues.push(
            "channel",
            "channel_staff_only",
            "电话、信件和来访渠道须由工作人员录入",
        );
        return None;
    }
    Some(channel)
}

fn parse_nature(issues: &mut Issues, v: &Option<String>) -> Option<Nature> {
    match v {
        Some(n) => issues.take("nature", n.trim().parse::<Nature>()),
        None => {
            issues.required("nature");
            None
        }
    }
}

/// `complete`: a complainant must give name, phone and address (the required content of a
/// complaint); a reporter may give any part.
fn parse_person(issues: &mut Issues, at: &str, p: &PersonInput, complete: bool) -> Option<Person> {
    let field = |name: &str| format!("{at}.{name}");
    let text = |issues: &mut Issues, name: &str, v: &Option<String>| {
        if complete {
            issues.required_text(&field(name), v)
        } else {
            optional_text(v)
        }
    };
    let name = text(issues, "name", &p.name);
    let address = text(issues, "address", &p.address);
    let phone = text(issues, "phone", &p.phone).map(|t| t.parse::<Phone>());
    let phone = phone.map(|r| issues.take(&field("phone"), r));
    let email = optional_text(&p.email).map(|t| issues.take(&field("email"), t.parse::<Email>()));
    Some(Person {
        name,
        phone: optional_parsed(phone)?,
        email: optional_parsed(email)?,
        address,
        id_number: optional_text(&p.id_number),
        sms_notices: p.sms_notices.unwrap_or(true),
    })
}

/// Complaints need the business's name, address and district; reports its name and district.
fn parse_respondent(
    issues: &mut Issues,
    r: Option<&RespondentInput>,
    complaint: bool,
    unplaced: bool,
) -> Option<Respondent> {
    let Some(r) = r else {
        issues.required("respondent");
        return None;
    };
    let name = issues.required_text("respondent.name", &r.name);
    let platform = optional_text(&r.platform);
    // A platform seller with no reachable address is handled where the platform is.
    let via_platform = complaint
        && platform.is_some()
        && optional_text(&r.address).is_none()
        && optional_text(&r.district).is_none();
    let address = if complaint && !via_platform {
        issues.required_text("respondent.address", &r.address)
    } else {
        optional_text(&r.address)
    };
    let uscc = optional_text(&r.uscc).map(|t| issues.take("respondent.uscc", t.parse::<Uscc>()));
    let district = match optional_text(&r.district) {
        Some(d) => issues.take("respondent.district", d.parse::<DistrictCode>()),
        None if via_platform => platform.as_deref().map(fallback_district),
        None if unplaced => Some(DistrictCode::city()),
        None if complaint => {
            issues.required("respondent.district");
            None
        }
        // A report is routed by the place of conduct; the business's own district may be
        // unknown, so the city stands in.
        None => Some(DistrictCode::city()),
    };
    Some(Respondent {
        name: name?,
        uscc: optional_parsed(uscc)?,
        address,
        district: district?,
        platform,
    })
}

fn parse_product(issues: &mut Issues, p: &ProductInput) -> Option<Product> {
    let name = issues.required_text("product.name", &p.name);
    let cosmetics_id = optional_text(&p.cosmetics_id)
        .map(|t| issues.take("product.cosmetics_id", t.parse::<CosmeticsId>()));
    Some(Product {
        name: name?,
        brand: optional_text(&p.brand),
        cosmetics_id: optional_parsed(cosmetics_id)?,
        batch: optional_text(&p.batch),
    })
}

fn parse_purchase(issues: &mut Issues, p: &PurchaseInput, received: NaiveDate) -> Purchase {
    if let Some(d) = p.date
        && d > received
    {
        issues.push(
            "purchase.date",
            "purchase_after_receipt",
            "购买日期不能晚于投诉受理日期",
        );
    }
    let amount = p
        .amount_fen
        .and_then(|a| issues.take("purchase.amount_fen", Fen::new(a)));
    let quantity = match p.quantity {
        None => None,
        Some(q) if (1..=MAX_QUANTITY).contains(&q) => u32::try_from(q).ok(),
        Some(_) => {
            issues.push(
                "purchase.quantity",
                "range",
                "购买数量应为1至1000000之间的整数",
            );
            None
        }
    };
    Purchase {
        date: p.date,
        amount,
        online: p.online.unwrap_or(false),
        platform: optional_text(&p.platform),
        order_no: optional_text(&p.order_no),
        quantity,
    }
}

/// The most units one purchase may state.
const MAX_QUANTITY: i64 = 1_000_000;

fn parse_adverse(
    issues: &mut Issues,
    a: &AdverseReactionInput,
    received: NaiveDate,
) -> Option<AdverseReaction> {
    let onset_date = match a.onset_date {
        Some(d) if d > received => {
            issues.push(
                "adverse_reaction.onset_date",
                "date_in_future",
                "发生日期不能晚于今天",
            );
            None
        }
        Some(d) => Some(d),
        None => {
            issues.required("adverse_reaction.onset_date");
            None
        }
    };
    let symptoms = issues.required_text("adverse_reaction.symptoms", &a.symptoms);
    let body_site = issues.required_text("adverse_reaction.body_site", &a.body_site);
    let severity = match optional_text(&a.severity) {
        Some(s) => issues.take("adverse_reaction.severity", s.parse::<Severity>()),
        None => Some(Severity::General),
    };
    if let (Some(start), Some(stop)) = (a.started_use, a.stopped_use)
        && stop < start
    {
        issues.push(
            "adverse_reaction.stopped_use",
            "date_order",
            "停用日期不能早于开始使用日期",
        );
    }
    Some(AdverseReaction {
        onset_date: onset_date?,
        symptoms: symptoms?,
        body_site: body_site?,
        severity: severity?,
        started_use: a.started_use,
        stopped_use: a.stopped_use,
        treatment: optional_text(&a.treatment),
        allergy_history: optional_text(&a.allergy_history),
    })
}

/// An optional field after parsing: absent is fine (`Some(None)`), present but invalid is a
/// failure (`None`, the issue already recorded).
fn optional_parsed<T>(field: Option<Option<T>>) -> Option<Option<T>> {
    match field {
        None => Some(None),
        Some(parsed) => parsed.map(Some),
    }
}
