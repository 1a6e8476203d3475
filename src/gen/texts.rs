//! Titles, descriptions and claims composed from phrase templates, so that no two cases
//! read alike; a small share carries the typos people make when typing on a phone.

use fastrand::Rng;

use super::pick;

/// The values a template may name, e.g. `{item}` or `{yuan}`.
#[derive(Debug, Clone, Default)]
pub struct Slots {
    pub item: String,
    pub brand: String,
    pub shop: String,
    pub platform: String,
    pub effect: String,
    pub effect2: String,
    pub ingredient: String,
    pub claimed: String,
    pub banned: String,
    pub unit: String,
    pub days: u32,
    pub yuan: String,
    /// A part of the amount: what was overcharged, the price elsewhere.
    pub extra: String,
    /// When it was bought, as people write it: "3月5日", "上个月".
    pub bought: String,
}

/// Replaces every `{name}` with its slot; unknown names are left as they are.
pub fn fill(template: &str, s: &Slots) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let key = &after[..close];
        match key {
            "item" => out.push_str(&s.item),
            "brand" => out.push_str(&s.brand),
            "shop" => out.push_str(&s.shop),
            "platform" => out.push_str(&s.platform),
            "effect" => out.push_str(&s.effect),
            "effect2" => out.push_str(&s.effect2),
            "ingredient" => out.push_str(&s.ingredient),
            "claimed" => out.push_str(&s.claimed),
            "banned" => out.push_str(&s.banned),
            "unit" => out.push_str(&s.unit),
            "days" => out.push_str(&s.days.to_string()),
            "yuan" => out.push_str(&s.yuan),
            "extra" => out.push_str(&s.extra),
            "bought" => out.push_str(&s.bought),
            _ => {
                out.push('{');
                out.push_str(key);
                out.push('}');
            }
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

const OPEN_STORE: &[&str] = &[
    "我于{bought}在{shop}购买了{brand}{item}一{unit}，花了{yuan}元。",
    "{bought}在{shop}消费，店员极力推荐我买了{brand}{item}，共{yuan}元。",
    "本人{bought}经朋友介绍到{shop}购买{item}，付款{yuan}元，有小票为证。",
    "{bought}路过{shop}，被店员拉进去试用，最后买了{brand}{item}，{yuan}元。",
    "我是{shop}的老顾客，{bought}又在店里买了{brand}{item}，价格{yuan}元。",
    "{bought}我在{shop}买了一{unit}{brand}{item}，实付{yuan}元，微信支付。",
];
const OPEN_ONLINE: &[&str] = &[
    "{bought}在{platform}上的“{shop}”下单购买{brand}{item}一{unit}，实付{yuan}元。",
    "我于{bought}通过{platform}在{shop}买了{brand}{item}，订单金额{yuan}元。",
    "{bought}看{platform}直播，主播力推{brand}{item}，我就在直播间下单了，付了{yuan}元。",
    "{bought}在{platform}搜到{shop}的{item}，显示销量很高，就买了一{unit}，{yuan}元。",
    "{bought}网购了{brand}{item}（{platform}，店铺名：{shop}），支付{yuan}元。",
];
const OPEN_SERVICE: &[&str] = &[
    "{bought}在{shop}办理了{item}，共支付{yuan}元。",
    "我于{bought}与{shop}签订了{item}的合同，已付款{yuan}元。",
    "{bought}在{shop}消费{item}，花费{yuan}元。",
    "本人{bought}在{shop}报名/购买了{item}，当时交了{yuan}元。",
];
const LEADS: &[&str] = &["", "没想到", "结果", "谁知道", "可是", "但是", "不料"];
const CONTACT: &[&str] = &[
    "随后我多次联系商家要求{remedy}，对方以“{excuse}”为由拒绝。",
    "找店里协商，店员一直推脱，说{excuse}。",
    "联系客服后，客服先是答应三天内给答复，到现在都没有消息。",
    "打店里电话没人接，去店里也找不到负责人。",
    "商家只同意退一半的钱，我不能接受。",
    "商家说{excuse}，之后还把我的微信拉黑了。",
    "跟商家沟通了好几次，对方态度很差，说爱找谁找谁。",
    "商家答应{remedy}，但拖了{days}天还没办。",
    "店长说可以换一{unit}别的，但不同意{remedy}。",
    "我要求{remedy}，商家一直没有正面回应。",
];
const CONTACT_ONLINE: &[&str] = &[
    "我在{platform}申请了售后，商家驳回了退款申请，理由是“{excuse}”。",
    "联系在线客服，只会发自动回复，申请平台介入也没有结果。",
    "商家让我先寄回去，寄回后就再也不回消息了。",
];
const REMEDIES: &[&str] = &[
    "退货退款",
    "退款",
    "赔偿",
    "换货",
    "退还剩余费用",
    "给个说法",
];
const EXCUSES: &[&str] = &[
    "已经拆封使用",
    "特价商品不退不换",
    "已经超过七天",
    "需要先寄回厂家检测",
    "活动商品概不退换",
    "要找厂家处理",
    "这是正常现象",
];
const EXCUSES_SERVICE: &[&str] = &[
    "合同上写了概不退款",
    "最终解释权归本店所有",
    "要等总部审批",
    "已经开始服务了不能退",
    "优惠活动不能退",
];
const EVIDENCE: &[&str] = &[
    "",
    "",
    "我有购物小票、聊天记录和照片可以证明。",
    "相关订单截图和付款记录都已保存。",
    "付款记录和商家的聊天截图都在。",
];
const CLOSE: &[&str] = &[
    "希望市场监管部门帮忙处理。",
    "请求相关部门依法处理，维护消费者的合法权益。",
    "特此投诉，望尽快处理。",
    "希望你们督促商家退款。",
    "这种商家太坑人了，希望有关部门管一管。",
    "",
];

/// The complaint's description, from how it was bought to what the consumer asks.
pub fn description(rng: &mut Rng, s: &Slots, detail: &str, online: bool, service: bool) -> String {
    let reaction = !s.effect.is_empty() && detail.contains("{effect}");
    let excuse = match (service, reaction && rng.bool()) {
        (_, true) => "这是个人体质问题",
        (true, false) => pick(rng, EXCUSES_SERVICE),
        (false, false) => pick(rng, EXCUSES),
    };
    let open = if online {
        pick(rng, OPEN_ONLINE)
    } else if service {
        pick(rng, OPEN_SERVICE)
    } else {
        pick(rng, OPEN_STORE)
    };
    let contact = if online && rng.bool() {
        pick(rng, CONTACT_ONLINE)
    } else {
        pick(rng, CONTACT)
    };
    let contact = contact
        .replace("{remedy}", pick(rng, REMEDIES))
        .replace("{excuse}", excuse);
    let mut text = fill(open, s);
    text.push_str(pick(rng, LEADS));
    text.push_str(&fill(detail, s));
    text.push('。');
    if reaction && rng.bool() {
        text.push_str(pick(
            rng,
            &[
                "去医院看了皮肤科，花了几百块医药费。",
                "病历和医药费发票都有。",
                "现在还在治疗，不敢出门见人。",
            ],
        ));
    }
    text.push_str(&fill(&contact, s));
    text.push_str(pick(rng, EVIDENCE));
    if rng.u32(0..20) == 0 {
        text.push_str("太气人了！！");
    }
    text.push_str(pick(rng, CLOSE));
    text
}

const TITLES: &[&str] = &[
    "{brand}{item}{short}",
    "在{shop}购买的{item}{short}",
    "{item}{short}，商家拒不处理",
    "投诉{shop}：{item}{short}",
    "{item}{short}，要求退款",
    "关于{shop}{item}{short}的投诉",
    "{short}（{brand}{item}）",
];
const TITLES_ONLINE: &[&str] = &["{platform}购买的{item}{short}", "网购{item}{short}"];

pub fn title(rng: &mut Rng, s: &Slots, short: &str, online: bool) -> String {
    let t = if online && rng.u32(0..3) == 0 {
        pick(rng, TITLES_ONLINE)
    } else {
        pick(rng, TITLES)
    };
    let t = t.replace("{short}", short);
    let t = fill(&t, s);
    // Trim to the field's limit of 100 characters.
    t.chars().take(100).collect()
}

/// What the consumer asks for: one or two remedies fitting the problem.
pub fn claim(rng: &mut Rng, s: &Slots, nature: &str, reaction: bool, category: &str) -> String {
    let food = matches!(category, "goods.food" | "services.catering");
    let prepaid = matches!(
        category,
        "services.beauty_salon" | "services.catering" | "services.education"
    );
    let mut options: Vec<&str> = vec!["退货退款", "退还货款{yuan}元", "全额退款"];
    let extra: &[&str] = match nature {
        _ if reaction => &[
            "赔偿医疗费{med}元",
            "承担治疗费用并赔偿误工费",
            "赔偿医药费和精神损失费",
        ],
        "counterfeit" => &["假一赔三", "按照《消费者权益保护法》退一赔三", "假一赔十"],
        "contract" if prepaid => &["退还预付卡余额{yuan}元", "退还剩余费用", "解除合同并退款"],
        "contract" => &[
            "解除合同并退还剩余费用",
            "按合同约定支付违约金",
            "继续履行合同",
        ],
        "after_sales" => &["换货", "履行三包义务，更换新品", "上门维修"],
        "false_advertising" => &["退一赔三", "退款并公开道歉"],
        "price" => &["退还多收的{extra}元", "退还差价"],
        "personal_rights" => &["赔礼道歉", "删除我的个人信息并赔礼道歉"],
        "measurement" => &["补足差额", "退一赔三"],
        _ => &["给出合理解释"],
    };
    if food && matches!(nature, "safety" | "quality") {
        options.push("按照《食品安全法》退一赔十");
    }
    let first = if rng.u32(0..3) == 0 {
        pick(rng, &options)
    } else {
        pick(rng, extra)
    };
    let mut text = first.to_owned();
    if rng.bool() {
        let second = pick(rng, extra);
        if second != first {
            text.push('，');
            text.push_str(pick(rng, &["并", "同时", "另外要求"]));
            text.push_str(second);
        }
    }
    if rng.u32(0..6) == 0 {
        text.push_str("，要求商家赔礼道歉");
    }
    let med = format!("{}", rng.u32(2..40) * 50);
    fill(&text.replace("{med}", &med), s)
}

/// Words people get wrong when typing pinyin on a phone.
const TYPOS: &[(&str, &str)] = &[
    ("过敏", "过名"),
    ("退款", "退欵"),
    ("投诉", "投述"),
    ("商家", "商加"),
    ("联系", "连系"),
    ("已经", "以经"),
    ("赔偿", "陪偿"),
    ("红肿", "红种"),
    ("脱皮", "拖皮"),
    ("客服", "客付"),
    ("购买", "构买"),
    ("拒绝", "拒决"),
];

/// With probability `percent`, one typo in the text, and sometimes ASCII punctuation.
pub fn typos(rng: &mut Rng, text: String, percent: u32) -> String {
    if rng.u32(0..100) >= percent {
        return text;
    }
    let present: Vec<&(&str, &str)> = TYPOS.iter().filter(|(w, _)| text.contains(w)).collect();
    let mut text = match present.is_empty() {
        true => text,
        false => {
            let (right, wrong) = pick(rng, &present);
            text.replacen(right, wrong, 1)
        }
    };
    if rng.u32(0..3) == 0 {
        text = text.replace('，', ",");
    }
    text
}
