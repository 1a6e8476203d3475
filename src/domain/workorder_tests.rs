use super::*;

const SEEN: [&str; 13] = [
    "登记编号",
    "类型",
    "接收方式",
    "企业名称",
    "企业地址",
    "诉求内容",
    "问题类别",
    "事发地",
    "具体问题",
    "初查受理状态",
    "处理机构",
    "处理部门",
    "反馈内容",
];

#[test]
fn columns_are_found_by_header_in_any_order() {
    let mut headers: Vec<&str> = SEEN.to_vec();
    headers.reverse();
    headers.insert(3, "备注");
    let map = HeaderMap::read(&headers).unwrap();
    let mut row = vec![""; headers.len()];
    let at = |h: &str| headers.iter().position(|x| *x == h).unwrap();
    row[at("登记编号")] = " 12315202605060001 ";
    row[at("类型")] = "投诉";
    row[at("诉求内容")] = "面霜使用后过敏";
    row[at("企业地址")] = "江门市蓬江区港口路8号";
    let order = read_row(&map, &row).unwrap();
    assert_eq!(order.registration_no, "12315202605060001");
    assert_eq!(order.kind, CaseKind::Complaint);
    assert_eq!(
        order.business_address.as_deref(),
        Some("江门市蓬江区港口路8号")
    );
    assert_eq!(order.business_name, None);
    assert_eq!(order.registered_at, None);
}

#[test]
fn missing_required_columns_are_named() {
    assert_eq!(
        HeaderMap::read(&["企业名称", " 类型 "]).unwrap_err(),
        vec!["登记编号", "诉求内容"]
    );
    // Headers as typed: a BOM, spaces, a star for required.
    assert!(HeaderMap::read(&["\u{feff}登记编号", "*类型", "诉求 内容"]).is_ok());
}

#[test]
fn a_row_is_refused_with_every_reason() {
    let map = HeaderMap::read(&["登记编号", "类型", "诉求内容", "登记时间"]).unwrap();
    let issues = read_row(&map, &["", "咨询", "", "昨天"]).unwrap_err();
    let columns: Vec<&str> = issues.iter().map(|i| i.column).collect();
    assert_eq!(columns, ["登记编号", "类型", "诉求内容", "登记时间"]);
    let order = read_row(&map, &["A1", "举报", "无证经营", "2026/5/6 10:12"]).unwrap();
    assert_eq!(order.kind, CaseKind::Report);
    assert_eq!(order.registered_at, parse_time("2026-05-06 10:12:00"));
    // A short row is a row with empty cells, not a panic.
    assert!(read_row(&map, &["A2"]).is_err());
}

#[test]
fn serial_day_numbers_are_times() {
    assert_eq!(parse_time("46148"), parse_time("2026-05-06"));
    assert_eq!(parse_time("46148.5"), parse_time("2026-05-06 12:00:00"));
    assert_eq!(parse_time("-3"), None);
    assert_eq!(parse_time("NaN"), None);
}
