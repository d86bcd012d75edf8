//! The words on the pages, in Chinese and English. Templates call `t("key")`; Rust calls
//! [`tr`]. A missing key shows itself (the key) rather than failing the page.

use onewindow_core::Lang;
use std::collections::HashMap;
use std::sync::OnceLock;

const UI: &[(&str, &str, &str)] = &[
    ("app.name", "一窗通", "OneWindow"),
    (
        "app.footer",
        "一窗通 · 政务服务一体化平台",
        "OneWindow · one platform for government services",
    ),
    ("a11y.skip", "跳到正文", "Skip to content"),
    ("nav.menu", "菜单", "Menu"),
    ("nav.main", "主导航", "Main navigation"),
    ("nav.home", "首页", "Home"),
    ("nav.regions", "行政区划", "Regions"),
    ("nav.departments", "部门", "Departments"),
    ("nav.halls", "大厅与窗口", "Halls & windows"),
    ("nav.users", "账号", "Accounts"),
    ("nav.audit", "操作记录", "Audit trail"),
    ("nav.account", "我的账号", "My account"),
    ("nav.login", "登录", "Sign in"),
    ("nav.logout", "退出", "Sign out"),
    ("prefs.large_on", "大字模式", "Large text"),
    ("prefs.large_off", "标准字号", "Normal text"),
    ("login.title", "登录一窗通", "Sign in to OneWindow"),
    ("login.username", "用户名", "Username"),
    ("login.password", "密码", "Password"),
    ("login.submit", "登录", "Sign in"),
    ("login.demo", "演示账号", "Demo accounts"),
    (
        "login.demo_password",
        "所有演示账号的密码：",
        "Every demo account's password:",
    ),
    ("field.roles", "角色", "Roles"),
    ("field.name", "名称", "Name"),
    ("field.code", "代码", "Code"),
    ("field.level", "级别", "Level"),
    ("field.parent", "上级区划", "Parent region"),
    ("field.region", "所属区划", "Region"),
    (
        "field.uscc",
        "统一社会信用代码",
        "Unified social credit code",
    ),
    ("field.phone", "电话", "Phone"),
    ("field.address", "地址", "Address"),
    ("field.floors", "楼层数", "Floors"),
    ("field.floor", "楼层", "Floor"),
    ("field.zone", "分区", "Zone"),
    ("field.number", "窗口号", "Window number"),
    ("field.label", "窗口名称", "Label"),
    (
        "field.confidential",
        "涉密窗口（不上监控墙）",
        "Confidential (kept off the window wall)",
    ),
    ("field.departments", "服务部门", "Departments served"),
    ("field.username", "用户名", "Username"),
    ("field.display_name", "姓名", "Name"),
    ("field.password", "初始密码", "Initial password"),
    ("field.new_password", "新密码", "New password"),
    ("field.department", "所属部门", "Department"),
    ("field.scope_region", "负责区域", "Region of responsibility"),
    ("field.mobile", "手机号码", "Mobile number"),
    ("field.state", "状态", "State"),
    ("field.windows", "窗口数", "Windows"),
    ("field.last_login", "最近登录", "Last sign-in"),
    ("state.active", "启用", "active"),
    ("state.inactive", "已停用", "deactivated"),
    ("form.save", "保存", "Save"),
    ("form.create", "新增", "Create"),
    ("form.edit", "修改", "Edit"),
    ("form.deactivate", "停用", "Deactivate"),
    ("form.activate", "重新启用", "Reactivate"),
    (
        "form.confirm_deactivate",
        "确定停用吗？停用后不会删除记录，可随时重新启用。",
        "Deactivate? Nothing is deleted and it can be reactivated.",
    ),
    ("form.saved", "已保存", "Saved"),
    ("list.count", "共", "Total"),
    ("list.empty", "暂无记录", "Nothing here yet"),
    ("list.export", "导出", "Export"),
    ("home.scope", "工作范围", "Scope"),
    ("home.recent", "最近的操作记录", "Recent activity"),
    ("audit.at", "时间", "Time"),
    ("audit.actor", "操作人", "Actor"),
    ("audit.action", "操作", "Action"),
    ("audit.target", "对象", "Record"),
    ("audit.change", "变更内容", "Change"),
    ("audit.addr", "来源地址", "Address"),
    ("audit.view", "查看操作记录", "View the audit trail"),
    (
        "audit.intro",
        "每一次变更都被记录并以哈希链相连，任何篡改都能被发现。",
        "Every change is recorded and hash-chained, so any tampering shows.",
    ),
    ("audit.older", "更早的记录", "Older entries"),
    ("account.title", "我的账号", "My account"),
    ("account.password", "修改密码", "Change password"),
    ("account.old_password", "原密码", "Current password"),
    ("account.new_password", "新密码", "New password"),
    (
        "account.password_rule",
        "至少8位，须同时包含字母和数字；修改后其他设备上的登录将失效。",
        "At least 8 characters with letters and digits; your other sessions will end.",
    ),
    ("account.password_changed", "密码已修改", "Password changed"),
    ("error.back", "返回上一页", "Go back"),
    ("error.home", "回到首页", "Home"),
    ("error.title", "出错了", "Something went wrong"),
];

fn table() -> &'static HashMap<&'static str, (&'static str, &'static str)> {
    static T: OnceLock<HashMap<&'static str, (&'static str, &'static str)>> = OnceLock::new();
    T.get_or_init(|| UI.iter().map(|(k, zh, en)| (*k, (*zh, *en))).collect())
}

pub fn tr(key: &str, lang: Lang) -> String {
    match table().get(key) {
        Some((zh, en)) => match lang {
            Lang::Zh => (*zh).to_string(),
            Lang::En => (*en).to_string(),
        },
        None => key.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_every_template_key_exists() {
        assert_eq!(table().len(), UI.len(), "duplicate keys in the UI table");
        for (name, src) in crate::templates::SOURCES {
            let mut rest = *src;
            while let Some(i) = rest.find("t(\"") {
                rest = &rest[i + 3..];
                let key = &rest[..rest.find('"').unwrap_or(0)];
                assert!(table().contains_key(key), "{name}: missing UI key {key}");
            }
        }
    }
}
