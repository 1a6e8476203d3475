//! Where each role works: the page areas it may open, the one it starts on after signing in,
//! the header every signed-in page shares (its areas and 退出登录), and the admin's home page.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::{PageError, csrf, page, staff};
use crate::auth::{Principal, Role, StaffUser};
use crate::state::AppState;

/// A signed-in area: its start page, its name, who may open it and what it is for. The first
/// area a role may open is its home.
struct Area {
    href: &'static str,
    label: &'static str,
    roles: &'static [Role],
    about: &'static str,
}

const AREAS: [Area; 10] = [
    Area {
        href: "/admin",
        label: "管理首页",
        roles: &[Role::Admin],
        about: "系统管理员的入口",
    },
    Area {
        href: "/desk",
        label: "案件工作台",
        roles: &super::desk::CASE_WORKERS,
        about: "受理、分派和办理投诉举报案件",
    },
    Area {
        href: "/enterprise",
        label: "我的投诉案件",
        roles: &[Role::Enterprise],
        about: "答复针对本企业的投诉",
    },
    Area {
        href: "/enterprise/integration",
        label: "系统对接",
        roles: &[Role::Enterprise],
        about: "API 密钥、推送地址和推送记录",
    },
    Area {
        href: "/enterprise/scorecards",
        label: "信用评分卡",
        roles: &[Role::Enterprise],
        about: "本企业各季度的信用评分和评分方法",
    },
    Area {
        href: "/analyst",
        label: "数据分析",
        roles: &crate::service::analysis::ANALYSTS,
        about: "案件检索、趋势、热点词和异常预警",
    },
    Area {
        href: "/admin/bulletins",
        label: "通报管理",
        roles: &super::bulletins::EDITORS,
        about: "生成、编辑和发布季度通报",
    },
    Area {
        href: "/desk/warnings",
        label: "消费预警",
        roles: &super::bulletins::EDITORS,
        about: "根据异常预警和热词起草、发布和更正消费预警",
    },
    Area {
        href: "/admin/workorders",
        label: "12315 工单",
        roles: &[Role::Admin],
        about: "导入 12315 平台导出的工单，导出处理结果",
    },
    Area {
        href: "/desk/disclosures",
        label: "投诉公示审核",
        roles: &crate::service::disclosure_review::EDITORS,
        about: "审核经投诉人同意、已办结投诉的公示内容",
    },
];

/// The page a role starts on after signing in.
pub fn home_of(role: Role) -> &'static str {
    AREAS
        .iter()
        .find(|a| a.roles.contains(&role))
        .map_or("/", |a| a.href)
}

/// Whether `role` may open `path` (a path of the site's own, query and fragment ignored): the
/// longest signed-in area it falls in decides; pages outside every area are public.
pub fn may_open(role: Role, path: &str) -> bool {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    AREAS
        .iter()
        .filter(|a| {
            path.strip_prefix(a.href)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
        .max_by_key(|a| a.href.len())
        .is_none_or(|a| a.roles.contains(&role))
}

/// The shared header of signed-in pages (`templates/staff_nav.html`).
#[derive(Clone)]
pub struct StaffNav {
    pub links: Vec<(&'static str, &'static str)>,
    pub email: String,
    pub csrf: String,
}

impl StaffNav {
    pub fn new(user: &StaffUser, csrf: &str) -> StaffNav {
        StaffNav {
            links: AREAS
                .iter()
                .filter(|a| a.roles.contains(&user.role))
                .map(|a| (a.href, a.label))
                .collect(),
            email: user.email.clone(),
            csrf: csrf.to_owned(),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/home.html")]
struct AdminHome {
    nav: StaffNav,
    areas: Vec<(&'static str, &'static str, &'static str)>,
}

/// `/admin`: every area the admin may open, the desk included.
pub async fn admin_home(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, PageError> {
    let user = staff(&principal, &[Role::Admin], "/admin")?;
    let c = csrf::issue(&req, state.settings.cookie_secure);
    let areas = AREAS
        .iter()
        .filter(|a| a.roles.contains(&user.role) && a.href != "/admin")
        .map(|a| (a.href, a.label, a.about))
        .collect();
    page(
        StatusCode::OK,
        &AdminHome {
            nav: StaffNav::new(user, &c.token),
            areas,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::{home_of, may_open};
    use crate::auth::Role;

    #[test]
    fn each_role_starts_in_an_area_it_may_open() {
        for role in Role::ALL {
            assert!(may_open(role, home_of(role)), "{role:?}");
        }
        assert_eq!(home_of(Role::Admin), "/admin");
        assert_eq!(home_of(Role::Supervisor), "/desk");
        assert_eq!(home_of(Role::Mediator), "/desk");
        assert_eq!(home_of(Role::Enterprise), "/enterprise");
        assert_eq!(home_of(Role::Analyst), "/analyst");
        // The unified intake unit's dispatch queue is its desk.
        assert_eq!(home_of(Role::Dispatcher), "/desk");
    }

    #[test]
    fn the_longest_area_decides() {
        assert!(may_open(
            Role::Supervisor,
            "/admin/bulletins/3?saved=content"
        ));
        assert!(!may_open(Role::Supervisor, "/admin"));
        assert!(!may_open(Role::Analyst, "/desk?state=accepted"));
        assert!(!may_open(
            Role::Mediator,
            "/enterprise/cases/TS-2026-000001"
        ));
        assert!(may_open(Role::Enterprise, "/track"));
        assert!(may_open(Role::Analyst, "/"));
    }
}
