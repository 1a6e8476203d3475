//! Versioned classification data (`reference/taxonomy.json`): goods/services categories,
//! complaint natures, districts and intake channels.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use super::FieldError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaxonomyError {
    #[error("分类数据格式错误：{0}")]
    Parse(String),
    #[error("分类代码 {0} 重复")]
    DuplicateCode(String),
    #[error("分类 {child} 的代码应以上级代码 {parent}. 开头")]
    BadChildCode { parent: String, child: String },
    #[error("末级分类 {0} 缺少面向消费者的说明")]
    MissingHint(String),
    #[error("分类数据中的{kind}与系统定义不一致")]
    FixedListMismatch { kind: &'static str },
}

/// A node of the goods/services tree; leaves carry a plain-language hint for consumers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Category {
    #[schema(example = "goods.cosmetics.skincare")]
    pub code: String,
    pub label: String,
    pub label_en: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(no_recursion)]
    pub children: Vec<Category>,
}

impl Category {
    pub fn is_leaf(&self) -> bool {
        self.children.is_empty()
    }

    fn find(&self, code: &str) -> Option<&Category> {
        if self.code == code {
            return Some(self);
        }
        let prefix_matches = code
            .strip_prefix(self.code.as_str())
            .is_some_and(|rest| rest.starts_with('.'));
        if !prefix_matches {
            return None;
        }
        self.children.iter().find_map(|c| c.find(code))
    }

    fn walk<'a>(&'a self, out: &mut Vec<&'a Category>) {
        out.push(self);
        for child in &self.children {
            child.walk(out);
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NatureInfo {
    pub code: String,
    pub label: String,
    pub label_en: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// The group the nature belongs to: `counterfeit_ip` for counterfeits and IP
    /// infringement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Only reports may have this nature (IP infringement); complaints are refused it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reports_only: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct District {
    #[schema(example = "440703")]
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelInfo {
    pub code: String,
    pub label: String,
    pub label_en: String,
    /// Keyed in by staff with the date actually received (phone, letter, visit).
    pub staff_keyed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Taxonomy {
    pub version: String,
    #[serde(default)]
    pub source: String,
    pub categories: Vec<Category>,
    pub natures: Vec<NatureInfo>,
    /// The city itself (江门市, 440700); `districts` lists its county-level units.
    pub city: District,
    pub districts: Vec<District>,
    pub channels: Vec<ChannelInfo>,
}

static BUILTIN: OnceLock<Taxonomy> = OnceLock::new();

impl Taxonomy {
    /// The taxonomy shipped in `reference/taxonomy.json`.
    #[expect(
        clippy::expect_used,
        reason = "the built-in file is compiled in and parsed by a unit test"
    )]
    pub fn builtin() -> &'static Taxonomy {
        BUILTIN.get_or_init(|| {
            Taxonomy::from_json(include_str!("../../reference/taxonomy.json"))
                .expect("built-in taxonomy is valid")
        })
    }

    pub fn from_json(text: &str) -> Result<Taxonomy, TaxonomyError> {
        let taxonomy: Taxonomy =
            serde_json::from_str(text).map_err(|e| TaxonomyError::Parse(e.to_string()))?;
        taxonomy.validate()?;
        Ok(taxonomy)
    }

    fn validate(&self) -> Result<(), TaxonomyError> {
        let mut seen = HashSet::new();
        for node in self.all_categories() {
            if node.code.is_empty() || !seen.insert(node.code.as_str()) {
                return Err(TaxonomyError::DuplicateCode(node.code.clone()));
            }
            if node.is_leaf() && node.hint.as_deref().is_none_or(|h| h.trim().is_empty()) {
                return Err(TaxonomyError::MissingHint(node.code.clone()));
            }
            for child in &node.children {
                let ok = child
                    .code
                    .strip_prefix(node.code.as_str())
                    .and_then(|rest| rest.strip_prefix('.'))
                    .is_some_and(|seg| !seg.is_empty() && !seg.contains('.'));
                if !ok {
                    return Err(TaxonomyError::BadChildCode {
                        parent: node.code.clone(),
                        child: child.code.clone(),
                    });
                }
            }
        }
        if let Some(top) = self.categories.iter().find(|c| c.code.contains('.')) {
            return Err(TaxonomyError::BadChildCode {
                parent: String::new(),
                child: top.code.clone(),
            });
        }
        let mut districts = HashSet::from([&self.city.code]);
        if let Some(d) = self.districts.iter().find(|d| !districts.insert(&d.code)) {
            return Err(TaxonomyError::DuplicateCode(d.code.clone()));
        }
        let natures: Vec<&str> = self.natures.iter().map(|n| n.code.as_str()).collect();
        let rules: Vec<(Option<&str>, bool)> = self
            .natures
            .iter()
            .map(|n| (n.group.as_deref(), n.reports_only))
            .collect();
        if natures != Nature::ALL.map(Nature::as_str)
            || rules != Nature::ALL.map(|n| (n.group(), n.reports_only()))
        {
            return Err(TaxonomyError::FixedListMismatch {
                kind: "投诉性质"
            });
        }
        let channels: Vec<(&str, bool)> = self
            .channels
            .iter()
            .map(|c| (c.code.as_str(), c.staff_keyed))
            .collect();
        if channels != Channel::ALL.map(|c| (c.as_str(), c.is_staff_keyed())) {
            return Err(TaxonomyError::FixedListMismatch {
                kind: "受理渠道"
            });
        }
        Ok(())
    }

    /// Every category node, depth first.
    pub fn all_categories(&self) -> Vec<&Category> {
        let mut out = Vec::new();
        for top in &self.categories {
            top.walk(&mut out);
        }
        out
    }

    /// Any node of the category tree.
    pub fn category(&self, code: &str) -> Option<&Category> {
        self.categories.iter().find_map(|c| c.find(code))
    }

    /// False for unknown codes.
    pub fn is_leaf(&self, code: &str) -> bool {
        self.category(code).is_some_and(Category::is_leaf)
    }

    pub fn nature(&self, code: &str) -> Option<&NatureInfo> {
        self.natures.iter().find(|n| n.code == code)
    }

    /// A county-level unit, or the city itself.
    pub fn district(&self, code: &str) -> Option<&District> {
        self.county(code)
            .or_else(|| (self.city.code == code).then_some(&self.city))
    }

    /// County-level units only.
    pub fn county(&self, code: &str) -> Option<&District> {
        self.districts.iter().find(|d| d.code == code)
    }

    pub fn channel(&self, code: &str) -> Option<&ChannelInfo> {
        self.channels.iter().find(|c| c.code == code)
    }
}

/// Nature of a complaint (投诉性质), as consumer associations report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Nature {
    Quality,
    AfterSales,
    Price,
    FalseAdvertising,
    Safety,
    Contract,
    Counterfeit,
    IpTrademark,
    IpPatent,
    IpCopyright,
    Measurement,
    PersonalRights,
    Other,
}

code_enum!(Nature, "unknown_nature", "未知的投诉性质", [
    Quality = "quality", "质量";
    AfterSales = "after_sales", "售后服务";
    Price = "price", "价格";
    FalseAdvertising = "false_advertising", "虚假宣传";
    Safety = "safety", "安全";
    Contract = "contract", "合同";
    Counterfeit = "counterfeit", "假冒";
    IpTrademark = "ip_trademark", "商标侵权";
    IpPatent = "ip_patent", "专利侵权";
    IpCopyright = "ip_copyright", "著作权侵权";
    Measurement = "measurement", "计量";
    PersonalRights = "personal_rights", "人格权益";
    Other = "other", "其他";
]);

impl Nature {
    /// 商标、专利、著作权侵权: a wrong to a rights holder, not to a consumer.
    pub fn is_ip_infringement(self) -> bool {
        matches!(
            self,
            Nature::IpTrademark | Nature::IpPatent | Nature::IpCopyright
        )
    }

    /// Counterfeits and IP infringement (measure 12): the natures the bulletin counts
    /// together, for which the desk offers 权利人辨认鉴别 first.
    pub fn is_counterfeit_or_ip(self) -> bool {
        self == Nature::Counterfeit || self.is_ip_infringement()
    }

    /// Only a report may have this nature. IP infringement wrongs the rights holder, not a
    /// consumer, so it is no consumer dispute to mediate (Order 121 Art. 18 (3)); a consumer
    /// sold a fake complains under `counterfeit`, which both kinds use.
    pub fn reports_only(self) -> bool {
        self.is_ip_infringement()
    }

    /// The grouping the taxonomy file states (`group`), if any.
    pub fn group(self) -> Option<&'static str> {
        self.is_counterfeit_or_ip().then_some(COUNTERFEIT_IP_GROUP)
    }
}

/// The taxonomy's group of counterfeit and IP-infringement natures.
pub const COUNTERFEIT_IP_GROUP: &str = "counterfeit_ip";

/// Intake channel of a complaint or report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Web,
    MiniProgram,
    App,
    Phone,
    Letter,
    Visit,
}

code_enum!(Channel, "unknown_channel", "未知的受理渠道", [
    Web = "web", "网页";
    MiniProgram = "mini_program", "微信小程序";
    App = "app", "手机应用";
    Phone = "phone", "电话";
    Letter = "letter", "信函";
    Visit = "visit", "来访";
]);

impl Channel {
    /// Phone, letter and walk-in cases are keyed in by staff with the date actually received.
    pub fn is_staff_keyed(self) -> bool {
        matches!(self, Channel::Phone | Channel::Letter | Channel::Visit)
    }
}

macro_rules! taxonomy_code {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = FieldError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::parse(s)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(deserializer)?;
                $name::parse(&raw).map_err(serde::de::Error::custom)
            }
        }
    };
}

/// A code of any node in the built-in category tree, e.g. `goods.cosmetics.skincare`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, ToSchema)]
#[schema(example = "goods.cosmetics.skincare")]
pub struct CategoryCode(String);
taxonomy_code!(CategoryCode);

impl CategoryCode {
    pub fn parse(s: &str) -> Result<CategoryCode, FieldError> {
        let code = s.trim();
        match Taxonomy::builtin().category(code) {
            Some(node) => Ok(CategoryCode(node.code.clone())),
            None => Err(FieldError::new("unknown_category", "未知的商品或服务类别")),
        }
    }

    /// Like [`CategoryCode::parse`] but only accepts the most specific categories.
    pub fn parse_leaf(s: &str) -> Result<CategoryCode, FieldError> {
        let code = CategoryCode::parse(s)?;
        if code.is_leaf() {
            Ok(code)
        } else {
            Err(FieldError::new(
                "category_not_leaf",
                "请选择具体的商品或服务类别",
            ))
        }
    }

    pub fn is_leaf(&self) -> bool {
        Taxonomy::builtin().is_leaf(&self.0)
    }

    pub fn label(&self) -> &'static str {
        Taxonomy::builtin()
            .category(&self.0)
            .map_or("", |c| c.label.as_str())
    }

    pub fn parent(&self) -> Option<CategoryCode> {
        let (parent, _) = self.0.rsplit_once('.')?;
        Some(CategoryCode(parent.to_string()))
    }

    /// `goods` or `services`.
    pub fn top_level(&self) -> &str {
        self.0.split('.').next().unwrap_or(&self.0)
    }

    /// True when this code is `ancestor` or lies below it.
    pub fn is_within(&self, ancestor: &str) -> bool {
        self.0 == ancestor
            || self
                .0
                .strip_prefix(ancestor)
                .is_some_and(|rest| rest.starts_with('.'))
    }
}

/// One of the county-level units in the built-in taxonomy, e.g. `440703` (蓬江区);
/// only [`DistrictCode::city`] yields the city code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, ToSchema)]
#[schema(example = "440703")]
pub struct DistrictCode(String);
taxonomy_code!(DistrictCode);

impl DistrictCode {
    pub fn parse(s: &str) -> Result<DistrictCode, FieldError> {
        match Taxonomy::builtin().county(s.trim()) {
            Some(d) => Ok(DistrictCode(d.code.clone())),
            None => Err(FieldError::new(
                "unknown_district",
                "未知的区（县级市）代码",
            )),
        }
    }

    /// The city as a whole (440700), for cases whose county-level unit is not known yet.
    pub fn city() -> DistrictCode {
        DistrictCode(Taxonomy::builtin().city.code.clone())
    }

    pub fn is_city(&self) -> bool {
        self.0 == Taxonomy::builtin().city.code
    }

    pub fn name(&self) -> &'static str {
        Taxonomy::builtin()
            .district(&self.0)
            .map_or("", |d| d.name.as_str())
    }
}

#[cfg(test)]
#[path = "taxonomy_tests.rs"]
mod tests;
