//! Order 121 Art. 17 screening: the factors that suggest a complaint is not for everyday
//! consumption (疑似职业索赔), as flags for the staff handling it. Never shown to the parties,
//! mailed, exported or published: a flag is a prompt to check, not a finding. The thresholds
//! are the city's (`[screening]` in the configuration, "设区的市级市场监督管理部门可以细化").

use serde::{Deserialize, Serialize};

/// The city's thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// How far back the same complainant's complaints count.
    pub same_complainant_window_days: u32,
    /// Complaints by one complainant in the window (this one included) against one business,
    /// about one kind of goods or one problem, from which the case is flagged.
    pub same_complainant_min_cases: u32,
    /// Different complainants giving one phone number or address in the window (this one
    /// included) from which the case is flagged.
    pub shared_contact_min_complainants: u32,
    /// Units of one product above which a purchase is at odds with normal use.
    pub quantity_max: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            same_complainant_window_days: 30,
            same_complainant_min_cases: 5,
            shared_contact_min_complainants: 3,
            quantity_max: 10,
        }
    }
}

/// One Art. 17 factor found in a complaint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Factor {
    SameBusiness,
    SameGoods,
    SameProblem,
    SharedPhone,
    SharedAddress,
    UnusualQuantity,
}

impl Factor {
    pub const ALL: [Factor; 6] = [
        Factor::SameBusiness,
        Factor::SameGoods,
        Factor::SameProblem,
        Factor::SharedPhone,
        Factor::SharedAddress,
        Factor::UnusualQuantity,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Factor::SameBusiness => "same_business",
            Factor::SameGoods => "same_goods",
            Factor::SameProblem => "same_problem",
            Factor::SharedPhone => "shared_phone",
            Factor::SharedAddress => "shared_address",
            Factor::UnusualQuantity => "unusual_quantity",
        }
    }

    pub fn parse(s: &str) -> Option<Factor> {
        Factor::ALL.into_iter().find(|f| f.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Factor::SameBusiness => "同一投诉人短期内多次投诉同一经营者",
            Factor::SameGoods => "同一投诉人短期内多次投诉同一类商品",
            Factor::SameProblem => "同一投诉人短期内多次投诉同一问题",
            Factor::SharedPhone => "多名投诉人使用同一电话号码",
            Factor::SharedAddress => "多名投诉人使用同一地址",
            Factor::UnusualQuantity => "购买数量明显超出正常生活消费需要",
        }
    }
}

/// The stored form: codes joined by commas, in `Factor::ALL` order.
pub fn to_codes(factors: &[Factor]) -> String {
    Factor::ALL
        .into_iter()
        .filter(|f| factors.contains(f))
        .map(Factor::as_str)
        .collect::<Vec<_>>()
        .join(",")
}

/// The stored form read back; unknown codes are skipped.
pub fn from_codes(codes: &str) -> Vec<Factor> {
    codes.split(',').filter_map(Factor::parse).collect()
}

/// The one line staff read: "疑似职业索赔：…".
pub fn headline(factors: &[Factor]) -> Option<String> {
    (!factors.is_empty()).then(|| {
        let labels: Vec<&str> = factors.iter().map(|f| f.label_zh()).collect();
        format!(
            "疑似职业索赔：{}（第121号令第十七条，仅供办案人员核实）",
            labels.join("；")
        )
    })
}

/// What the complaint itself says.
#[derive(Debug, Clone)]
pub struct Complaint<'a> {
    /// The business: its USCC, or else its name as given.
    pub business: &'a str,
    pub category: Option<&'a str>,
    pub nature: &'a str,
    pub quantity: Option<u32>,
}

/// An earlier complaint by the same complainant (same phone, ID number or address) within
/// the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Earlier {
    pub business: String,
    pub category: Option<String>,
    pub nature: String,
}

/// The factors a new complaint shows, given the same complainant's earlier complaints in the
/// window and how many other complainants gave the same phone number or address.
pub fn screen(
    complaint: &Complaint,
    earlier: &[Earlier],
    others_sharing_phone: usize,
    others_sharing_address: usize,
    t: &Thresholds,
) -> Vec<Factor> {
    let reached = |n: usize| n + 1 >= t.same_complainant_min_cases as usize;
    let shared = |n: usize| n + 1 >= t.shared_contact_min_complainants as usize;
    let mut out = Vec::new();
    if reached(
        earlier
            .iter()
            .filter(|e| e.business == complaint.business)
            .count(),
    ) {
        out.push(Factor::SameBusiness);
    }
    if let Some(category) = complaint.category
        && reached(
            earlier
                .iter()
                .filter(|e| e.category.as_deref() == Some(category))
                .count(),
        )
    {
        out.push(Factor::SameGoods);
    }
    if reached(
        earlier
            .iter()
            .filter(|e| e.nature == complaint.nature)
            .count(),
    ) {
        out.push(Factor::SameProblem);
    }
    if shared(others_sharing_phone) {
        out.push(Factor::SharedPhone);
    }
    if shared(others_sharing_address) {
        out.push(Factor::SharedAddress);
    }
    if complaint.quantity.is_some_and(|q| q > t.quantity_max) {
        out.push(Factor::UnusualQuantity);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn earlier(business: &str, category: &str, nature: &str) -> Earlier {
        Earlier {
            business: business.into(),
            category: Some(category.into()),
            nature: nature.into(),
        }
    }

    #[test]
    fn each_factor_fires_at_its_threshold_and_not_below() {
        let t = Thresholds::default();
        let c = Complaint {
            business: "91440703MA4UJ5QX2U",
            category: Some("goods.food"),
            nature: "quality",
            quantity: Some(10),
        };
        let four = vec![earlier("91440703MA4UJ5QX2U", "goods.food", "labeling"); 4];
        assert_eq!(
            screen(&c, &four, 2, 1, &t),
            [Factor::SameBusiness, Factor::SameGoods, Factor::SharedPhone]
        );
        assert!(screen(&c, &four[..3], 1, 1, &t).is_empty());
        let bulk = Complaint {
            quantity: Some(11),
            ..c.clone()
        };
        assert_eq!(
            screen(&bulk, &[], 0, 2, &t),
            [Factor::SharedAddress, Factor::UnusualQuantity]
        );
        let other = vec![earlier("另一家", "services.x", "quality"); 4];
        assert_eq!(screen(&c, &other, 0, 0, &t), [Factor::SameProblem]);
    }

    #[test]
    fn codes_round_trip_and_read_as_one_line() {
        let f = [Factor::UnusualQuantity, Factor::SameBusiness];
        assert_eq!(to_codes(&f), "same_business,unusual_quantity");
        assert_eq!(
            from_codes("same_business,unusual_quantity,junk"),
            [Factor::SameBusiness, Factor::UnusualQuantity]
        );
        assert!(headline(&[]).is_none());
        let line = headline(&[Factor::SharedPhone]).unwrap_or_default();
        assert!(
            line.starts_with("疑似职业索赔：多名投诉人使用同一电话号码"),
            "{line}"
        );
    }
}
