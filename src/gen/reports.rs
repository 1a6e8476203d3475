//! Reports (举报): leads about a business breaking market rules, often anonymous.

use fastrand::Rng;

use super::pick;
use super::texts::{Slots, fill};

/// Natures of reports and their shares.
pub const NATURES: &[(&str, u32)] = &[
    ("false_advertising", 30),
    ("counterfeit", 25),
    ("quality", 25),
    ("safety", 10),
    ("price", 5),
    ("measurement", 3),
    ("other", 2),
];

const LEADS: &[&str] = &[
    "{shop}在店内销售{brand}{item}，",
    "我在{shop}看到货架上摆着{brand}{item}，",
    "{shop}通过微信朋友圈和{platform}销售{brand}{item}，",
    "{bought}去{shop}买东西时发现，该店销售的{brand}{item}",
    "位于本区的{shop}长期销售{item}，",
    "有人在小区业主群里推销{shop}的{brand}{item}，",
];

/// (nature, category prefix it fits, short form for titles, details).
#[rustfmt::skip]
const PROBLEMS: &[(&str, &str, &str, &str)] = &[
    ("counterfeit", "goods", "销售假冒产品", "包装粗糙、防伪码无法查询，价格只有正品的三分之一，涉嫌销售假冒{brand}产品"),
    ("counterfeit", "goods", "涉嫌售假", "外包装印有{brand}商标，但{brand}方面表示从未授权该店销售，疑似假货"),
    ("false_advertising", "", "虚假宣传", "宣称“{claimed}”，涉嫌虚假宣传"),
    ("false_advertising", "", "夸大功效", "宣传单上标注“{claimed}”等用语，没有任何依据，误导消费者"),
    ("false_advertising", "", "违规宣传医疗作用", "店员对顾客说{item}有治疗作用，还说“{claimed}”"),
    ("quality", "goods", "销售三无产品", "产品没有中文标签，没有生产企业名称和地址，属于三无产品"),
    ("quality", "goods", "销售过期产品", "货架上的{item}已经过期{days}天仍在销售"),
    ("quality", "goods.cosmetics", "产品无备案", "在国家药监局网站上查不到该产品的备案信息"),
    ("safety", "goods.cosmetics", "疑似非法添加", "疑似非法添加{banned}，有顾客使用后{effect}"),
    ("safety", "goods", "无证生产", "在出租屋内私自分装生产{item}，卫生条件很差，没有任何生产许可"),
    ("safety", "services.beauty_salon", "非法医美", "没有医疗机构执业许可证，却在店内给顾客注射{ingredient}、做光子嫩肤，存在安全隐患"),
    ("price", "", "价格欺诈", "标价{yuan}元，结账时却按更高的价格收费，还虚构原价搞促销"),
    ("measurement", "", "缺斤短两", "使用的电子秤明显不准，称重时缺斤短两"),
    ("other", "", "无照经营", "没有营业执照，也没有在店内公示任何证照"),
];

const CLOSE: &[&str] = &[
    "请予以查处。",
    "希望执法部门尽快核查。",
    "请依法处理，我可以配合提供线索。",
    "为避免更多消费者受骗，特此举报。",
    "请对该商家进行调查。",
    "",
];
const TITLES: &[&str] = &[
    "举报{shop}{short}",
    "{shop}涉嫌{short}",
    "关于{item}{short}的举报",
    "举报：{brand}{item}{short}",
];

/// Whether a report of this nature about this category has something to say.
pub fn fits(nature: &str, category: &str) -> bool {
    PROBLEMS
        .iter()
        .any(|(n, scope, _, _)| *n == nature && category.starts_with(scope))
}

/// `(title, description)` of a report of the given nature about a category.
pub fn texts(rng: &mut Rng, s: &Slots, nature: &str, category: &str) -> (String, String) {
    let fitting: Vec<&(&str, &str, &str, &str)> = PROBLEMS
        .iter()
        .filter(|(n, scope, _, _)| *n == nature && category.starts_with(scope))
        .collect();
    let (_, _, short, detail) = if fitting.is_empty() {
        PROBLEMS[PROBLEMS.len() - 1]
    } else {
        *pick(rng, &fitting)
    };
    let mut description = fill(pick(rng, LEADS), s);
    description.push_str(&fill(detail, s));
    description.push('。');
    if rng.u32(0..3) == 0 {
        description.push_str(pick(
            rng,
            &[
                "我已拍下照片。",
                "店里还有大量存货。",
                "附近不少居民都买过。",
                "已经持续好几个月了。",
            ],
        ));
    }
    description.push_str(pick(rng, CLOSE));
    let title = fill(&pick(rng, TITLES).replace("{short}", short), s);
    (title.chars().take(100).collect(), description)
}
