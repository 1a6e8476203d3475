//! One generated submission: a complaint or a report as a client would send it.

use std::collections::VecDeque;

use chrono::{Datelike, Days, NaiveDate};
use fastrand::Rng;

use super::corpus::{self, Business, PLATFORMS, Person, Pool};
use super::cosmetics::{self, BANNED, COSMETICS};
use super::dates::Slot;
use super::registry::Registry;
use super::sectors::{OTHER, Sector};
use super::texts::{self, Slots};
use super::{pick, reports, weighted};
use crate::clock::china_date;
use crate::intake::input::{
    ComplaintInput, PersonInput, PlaceInput, ProductInput, PurchaseInput, ReportInput,
    RespondentInput,
};
use crate::service::intake::IntakeInput;

/// What the generator hands to intake.
#[derive(Debug, Clone)]
pub enum Draft {
    Complaint(ComplaintInput),
    Report(ReportInput),
}

impl Draft {
    /// The draft as intake receives it.
    pub fn wire(&self) -> IntakeInput {
        match self {
            Draft::Complaint(c) => IntakeInput::Complaint(c.clone()),
            Draft::Report(r) => IntakeInput::Report(r.clone()),
        }
    }
}

/// Businesses in the shared pool.
const POOL_SIZE: usize = 200;
/// Percent of submissions that are complaints; the rest are reports.
const COMPLAINT_SHARE: u32 = 85;
/// Percent of complainants who choose ODR: most do when the business takes part.
const PREFER_ODR: u32 = 8;
const PREFER_ODR_ENROLLED: u32 = 70;
/// Registered businesses are drawn from their own stream, so drafts do not depend on them.
const REGISTRY_SALT: u64 = 0x6a09_e667_f3bc_c909;

/// A recent complainant, who may complain again about the same business.
#[derive(Clone)]
struct Recent {
    person: Person,
    business: Business,
    sector: usize,
    /// The draft's number in the run, counted from 0.
    draft: usize,
}

/// Deterministic for a seed: the same seed gives the same sequence of drafts.
pub struct Generator {
    rng: Rng,
    pool: Pool,
    sectors: Vec<&'static Sector>,
    registry: Registry,
    /// Recent complainants, some of whom complain again about the same business.
    recent: VecDeque<Recent>,
    /// Drafts made so far.
    drafted: usize,
    /// The earlier draft the last one repeats, if it does.
    repeat_of: Option<usize>,
}

impl Generator {
    pub fn new(seed: u64) -> Generator {
        let mut rng = Rng::with_seed(seed);
        let sectors: Vec<&'static Sector> = COSMETICS.iter().chain(OTHER).collect();
        let pool = Pool::new(&mut rng, POOL_SIZE, &sectors);
        let registry = Registry::draw(&mut Rng::with_seed(seed ^ REGISTRY_SALT), pool.businesses());
        Generator {
            rng,
            pool,
            sectors,
            registry,
            recent: VecDeque::new(),
            drafted: 0,
            repeat_of: None,
        }
    }

    /// The businesses registered before the first case.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// When the last draft is a consumer's repeated complaint: the number of their earlier
    /// draft (counted from 0).
    pub fn repeat_of(&self) -> Option<usize> {
        self.repeat_of
    }

    pub fn draft(&mut self, slot: &Slot) -> Draft {
        self.repeat_of = None;
        self.drafted += 1;
        if self.rng.u32(0..100) < COMPLAINT_SHARE {
            Draft::Complaint(self.complaint(slot))
        } else {
            Draft::Report(self.report(slot))
        }
    }

    /// A sector by its share, adjusted for the season (sunscreen in summer …).
    fn sector(&mut self, month: u32, report: bool) -> usize {
        let weights: Vec<(usize, u32)> = self
            .sectors
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let w = s.weight * season(s.category, month) / 10;
                let w = if report && s.is_cosmetics() {
                    w * 3 / 2
                } else {
                    w
                };
                (i, w.max(1))
            })
            .collect();
        weighted(&mut self.rng, &weights)
    }

    fn complaint(&mut self, slot: &Slot) -> ComplaintInput {
        let received = china_date(slot.at);
        let again = self.rng.u32(0..100) < 3 && !self.recent.is_empty();
        let (person, business, s) = if again {
            let i = self.rng.usize(0..self.recent.len());
            let earlier = self.recent[i].clone();
            self.repeat_of = Some(earlier.draft);
            (earlier.person, earlier.business, earlier.sector)
        } else {
            let s = self.sector(received.month(), false);
            let business = self.pool.pick(&mut self.rng, self.sectors[s].trade).clone();
            (corpus::person(&mut self.rng), business, s)
        };
        self.recent.push_back(Recent {
            person: person.clone(),
            business: business.clone(),
            sector: s,
            draft: self.drafted - 1,
        });
        if self.recent.len() > 50 {
            self.recent.pop_front();
        }
        let sector = self.sectors[s];
        let prefer_odr = if self.registry.in_odr(business.uscc.as_deref()) {
            PREFER_ODR_ENROLLED
        } else {
            PREFER_ODR
        };
        let rng = &mut self.rng;
        let nature = weighted(rng, sector.natures);
        let fitting: Vec<_> = sector.problems.iter().filter(|p| p.0 == nature).collect();
        let (nature, short, detail) = match fitting.is_empty() {
            true => pick(rng, sector.problems),
            false => *pick(rng, &fitting),
        };
        let (only, detail) = restricted(detail);
        let online = business.platform.is_some() || rng.u32(0..100) < sector.online / 5;
        let purchase_date = purchase_date(rng, received, sector);
        let fen = amount_fen(rng, sector);
        let mut slots = slots(rng, sector, &business, purchase_date, received, fen);
        if let Some(items) = only {
            slots.item = pick(rng, &items).to_owned();
        }
        if online && business.platform.is_none() {
            // A shop's own online channel.
            slots.platform = weighted(rng, SHOP_CHANNELS).to_owned();
        }
        let reaction = detail.contains("{effect}") && !slots.effect.is_empty();
        let service = sector.category.starts_with("services.");
        let description = texts::description(rng, &slots, detail, online, service);
        let title = texts::title(rng, &slots, short, online);
        let claim = texts::claim(rng, &slots, nature, reaction, sector.category);
        let adverse_reaction = (reaction && sector.is_cosmetics() && rng.u32(0..100) < 65)
            .then(|| cosmetics::adverse(rng, sector, &slots, purchase_date, received));
        let platform = online.then(|| slots.platform.clone());
        ComplaintInput {
            channel: Some(slot.channel.to_owned()),
            complainant: Some(PersonInput {
                name: Some(person.name),
                phone: Some(person.phone),
                email: person.email,
                address: Some(person.address),
                id_number: None,
                sms_notices: None,
            }),
            respondent: Some(respondent(rng, &business, 75)),
            product: product(rng, sector, &slots),
            purchase: Some(PurchaseInput {
                date: Some(purchase_date),
                amount_fen: (rng.u32(0..100) < 92).then_some(fen),
                online: Some(online),
                order_no: platform
                    .as_ref()
                    .filter(|_| rng.u32(0..100) < 60)
                    .map(|_| order_no(rng)),
                platform,
                quantity: None,
            }),
            adverse_reaction,
            category: Some(sector.category.to_owned()),
            nature: Some(nature.to_owned()),
            title: Some(texts::typos(rng, title, 2)),
            description: Some(texts::typos(rng, description, 7)),
            claim: Some(texts::typos(rng, claim, 2)),
            prefer_odr: Some(rng.u32(0..100) < prefer_odr),
            disclosure_consent: None,
        }
    }

    fn report(&mut self, slot: &Slot) -> ReportInput {
        let received = china_date(slot.at);
        let s = self.sector(received.month(), true);
        let sector = self.sectors[s];
        let business = self.pool.pick(&mut self.rng, sector.trade).clone();
        let rng = &mut self.rng;
        let natures: Vec<(&str, u32)> = reports::NATURES
            .iter()
            .copied()
            .filter(|(n, _)| reports::fits(n, sector.category))
            .collect();
        let nature = if natures.is_empty() {
            "other"
        } else {
            weighted(rng, &natures)
        };
        let purchase_date = purchase_date(rng, received, sector);
        let fen = amount_fen(rng, sector);
        let slots = slots(rng, sector, &business, purchase_date, received, fen);
        let (title, description) = reports::texts(rng, &slots, nature, sector.category);
        let reporter = match rng.u32(0..100) {
            0..40 => None,
            40..70 => Some(PersonInput {
                phone: Some(corpus::person(rng).phone),
                ..Default::default()
            }),
            _ => {
                let p = corpus::person(rng);
                Some(PersonInput {
                    name: Some(p.name),
                    phone: Some(p.phone),
                    email: p.email,
                    ..Default::default()
                })
            }
        };
        let place_district = business
            .district
            .unwrap_or_else(|| corpus::district(rng).code);
        let bought = rng.u32(0..100) < 35;
        ReportInput {
            channel: Some(slot.channel.to_owned()),
            reporter,
            respondent: Some(respondent(rng, &business, 30)),
            place: Some(PlaceInput {
                district: Some(place_district.to_owned()),
                address: business.address.clone(),
            }),
            product: product(rng, sector, &slots),
            purchase: bought.then(|| PurchaseInput {
                date: Some(purchase_date),
                amount_fen: Some(fen),
                online: Some(business.platform.is_some()),
                platform: business.platform.map(str::to_owned),
                order_no: None,
                quantity: None,
            }),
            category: (rng.u32(0..100) < 90).then(|| sector.category.to_owned()),
            nature: Some(nature.to_owned()),
            title: (rng.u32(0..100) < 85).then_some(title),
            description: Some(texts::typos(rng, description, 5)),
            rights_holder: None,
        }
    }
}

/// Where a shop with no web store of its own sells online.
const SHOP_CHANNELS: &[(&str, u32)] = &[
    ("微信小程序商城", 3),
    ("侨都优选", 2),
    ("淘宝", 2),
    ("抖音", 2),
    ("美团", 1),
];

/// A detail that fits only some items names them first: `[空调|冰箱]…`.
fn restricted(detail: &'static str) -> (Option<Vec<&'static str>>, &'static str) {
    match detail.strip_prefix('[').and_then(|r| r.split_once(']')) {
        Some((items, rest)) => (Some(items.split('|').collect()), rest),
        None => (None, detail),
    }
}

/// Tenths: 10 is an ordinary month for the category.
fn season(category: &str, month: u32) -> u32 {
    match (category, month) {
        ("goods.cosmetics.sunscreen", 5..=8) => 22,
        ("goods.cosmetics.sunscreen", 12 | 1 | 2) => 4,
        ("goods.food", 9) | ("goods.food", 1 | 2) => 15,
        ("services.tourism", 10) | ("services.tourism", 7 | 8) => 20,
        ("services.education", 3 | 9) => 15,
        ("goods.appliances", 6..=8) => 13,
        ("goods.clothing", 11 | 12) => 14,
        _ => 10,
    }
}

fn purchase_date(rng: &mut Rng, received: NaiveDate, sector: &Sector) -> NaiveDate {
    let long = sector.category.starts_with("services.");
    let days = match rng.u32(0..100) {
        0..40 => rng.u64(0..15),
        40..80 => rng.u64(15..61),
        _ if long => rng.u64(61..540),
        _ => rng.u64(61..300),
    };
    received
        .checked_sub_days(Days::new(days))
        .unwrap_or(received)
}

/// Skewed towards the cheap end of the sector's range, sometimes with cents.
fn amount_fen(rng: &mut Rng, sector: &Sector) -> i64 {
    let (lo, hi) = sector.price;
    let r = rng.f64();
    let yuan = i64::from(lo) + (f64::from(hi - lo) * r * r) as i64;
    yuan * 100 + pick(rng, &[0i64, 0, 0, 90, 50, 80, 99])
}

pub(super) fn yuan_text(fen: i64) -> String {
    match fen % 100 {
        0 => format!("{}", fen / 100),
        c if c % 10 == 0 => format!("{}.{}", fen / 100, c / 10),
        c => format!("{}.{c:02}", fen / 100),
    }
}

fn date_text(rng: &mut Rng, bought: NaiveDate, received: NaiveDate) -> String {
    let ago = (received - bought).num_days();
    match rng.u32(0..10) {
        0 if ago < 7 => "前几天".to_owned(),
        0 if (25..60).contains(&ago) => "上个月".to_owned(),
        1 | 2 => format!("{}年{}月{}日", bought.year(), bought.month(), bought.day()),
        3 => bought.format("%Y-%m-%d").to_string(),
        _ => format!("{}月{}日", bought.month(), bought.day()),
    }
}

fn slots(
    rng: &mut Rng,
    sector: &Sector,
    business: &Business,
    bought: NaiveDate,
    received: NaiveDate,
    fen: i64,
) -> Slots {
    let effect = if sector.effects.is_empty() {
        ""
    } else {
        pick(rng, sector.effects)
    };
    let mut effect2 = effect;
    for _ in 0..4 {
        if effect2 != effect || sector.effects.len() < 2 {
            break;
        }
        effect2 = pick(rng, sector.effects);
    }
    let brand = match business.name.strip_suffix("官方旗舰店") {
        Some(own) => own,
        None if rng.u32(0..100) < 85 => pick(rng, sector.brands),
        None => "",
    };
    let claims = if sector.claims.is_empty() {
        &["效果显著"][..]
    } else {
        sector.claims
    };
    Slots {
        item: pick(rng, sector.items).to_string(),
        brand: brand.to_owned(),
        shop: business.name.clone(),
        platform: business
            .platform
            .unwrap_or_else(|| weighted(rng, PLATFORMS))
            .to_owned(),
        effect: effect.to_owned(),
        effect2: effect2.to_owned(),
        ingredient: pick(rng, cosmetics::ingredients(sector.category)).to_string(),
        claimed: pick(rng, claims).to_string(),
        banned: pick(rng, BANNED).to_string(),
        unit: sector.unit.to_owned(),
        days: rng.u32(2..30),
        yuan: yuan_text(fen),
        extra: ((fen / 100) * rng.i64(10..45) / 100).max(5).to_string(),
        bought: date_text(rng, bought, received),
    }
}

/// The business as the consumer names it; `uscc_percent` of them give its code.
fn respondent(rng: &mut Rng, b: &Business, uscc_percent: u32) -> RespondentInput {
    RespondentInput {
        name: Some(b.name.clone()),
        uscc: b.uscc.clone().filter(|_| rng.u32(0..100) < uscc_percent),
        address: b.address.clone(),
        district: b.district.map(str::to_owned),
        platform: b.platform.map(str::to_owned),
    }
}

fn product(rng: &mut Rng, sector: &Sector, s: &Slots) -> Option<ProductInput> {
    if sector.category.starts_with("services.") {
        return None;
    }
    let cosmetics_id = (sector.is_cosmetics() && rng.u32(0..100) < 70)
        .then(|| cosmetics::cosmetics_id(rng, sector.category));
    Some(ProductInput {
        name: Some(format!("{}{}", s.brand, s.item)),
        brand: (!s.brand.is_empty()).then(|| s.brand.clone()),
        cosmetics_id,
        batch: (rng.u32(0..100) < 35).then(|| format!("B{}", rng.u32(20200101..20270000))),
    })
}

fn order_no(rng: &mut Rng) -> String {
    let len = rng.usize(16..20);
    (0..len)
        .map(|i| char::from(b'0' + if i == 0 { rng.u8(1..10) } else { rng.u8(0..10) }))
        .collect()
}
