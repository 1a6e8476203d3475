//! 12315 work-order exports written as real xlsx files, for the tests of the import on the
//! command line and on the admin page.

use std::path::Path;

use rust_xlsxwriter::Workbook;

/// The columns these sheets have, in the platform's words.
pub const HEADERS: [&str; 10] = [
    "登记编号",
    "类型",
    "企业名称",
    "企业地址",
    "诉求内容",
    "问题类别",
    "登记时间",
    "投诉人",
    "联系电话",
    "投诉人地址",
];

/// One row: 登记编号, 类型, 企业地址, 诉求内容, 登记时间 (`2026-11-21 09:00`).
pub struct Order<'a> {
    pub no: &'a str,
    pub kind: &'a str,
    pub address: &'a str,
    pub claim: &'a str,
    pub registered: &'a str,
}

/// The rows as an xlsx file's bytes; the complainant is 张三 at 13800138000,
/// living in 蓬江.
pub fn xlsx(rows: &[Order]) -> Vec<u8> {
    xlsx_classified(rows, "护肤品 质量问题")
}

/// [`xlsx`] with every row's 问题类别 reading `category`.
pub fn xlsx_classified(rows: &[Order], category: &str) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in (0u16..).zip(HEADERS) {
        sheet.write_string(0, c, h).expect("header");
    }
    for (r, o) in (1u32..).zip(rows) {
        let cells = [
            o.no,
            o.kind,
            "江门某美妆店",
            o.address,
            o.claim,
            category,
            o.registered,
            "张三",
            "13800138000",
            "江门市蓬江区建设路2号",
        ];
        for (c, text) in (0u16..).zip(cells) {
            sheet.write_string(r, c, text).expect("cell");
        }
    }
    book.save_to_buffer().expect("xlsx")
}

/// Writes [`xlsx`] to `path`.
pub fn write(path: &Path, rows: &[Order]) {
    std::fs::write(path, xlsx(rows)).expect("write xlsx");
}
