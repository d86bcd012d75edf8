//! The page templates, compiled into the binary and auto-escaped as HTML.

use crate::i18n::tr;
use minijinja::{Environment, State};
use onewindow_core::Lang;

pub const SOURCES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("security.html", include_str!("../templates/security.html")),
    (
        "checkpoints.html",
        include_str!("../templates/checkpoints.html"),
    ),
    ("pet_desk.html", include_str!("../templates/pet_desk.html")),
    (
        "lic_verify.html",
        include_str!("../templates/lic_verify.html"),
    ),
    ("lic_list.html", include_str!("../templates/lic_list.html")),
    (
        "lic_detail.html",
        include_str!("../templates/lic_detail.html"),
    ),
    (
        "lic_share.html",
        include_str!("../templates/lic_share.html"),
    ),
    (
        "lic_print.html",
        include_str!("../templates/lic_print.html"),
    ),
    (
        "lic_import.html",
        include_str!("../templates/lic_import.html"),
    ),
    ("pet_case.html", include_str!("../templates/pet_case.html")),
    (
        "pet_stations.html",
        include_str!("../templates/pet_stations.html"),
    ),
    ("pet_rota.html", include_str!("../templates/pet_rota.html")),
    (
        "pet_ledger_table.html",
        include_str!("../templates/pet_ledger_table.html"),
    ),
    (
        "pet_guaranteed_table.html",
        include_str!("../templates/pet_guaranteed_table.html"),
    ),
    (
        "pet_ledgers.html",
        include_str!("../templates/pet_ledgers.html"),
    ),
    (
        "pet_report.html",
        include_str!("../templates/pet_report.html"),
    ),
    (
        "ent_items_table.html",
        include_str!("../templates/ent_items_table.html"),
    ),
    ("ent_desk.html", include_str!("../templates/ent_desk.html")),
    ("ent_mine.html", include_str!("../templates/ent_mine.html")),
    (
        "ent_firms.html",
        include_str!("../templates/ent_firms.html"),
    ),
    ("ent_firm.html", include_str!("../templates/ent_firm.html")),
    (
        "ent_project.html",
        include_str!("../templates/ent_project.html"),
    ),
    (
        "ent_projects.html",
        include_str!("../templates/ent_projects.html"),
    ),
    (
        "ent_visit.html",
        include_str!("../templates/ent_visit.html"),
    ),
    ("ent_item.html", include_str!("../templates/ent_item.html")),
    (
        "ent_consultations.html",
        include_str!("../templates/ent_consultations.html"),
    ),
    (
        "ent_policies.html",
        include_str!("../templates/ent_policies.html"),
    ),
    (
        "ent_policy.html",
        include_str!("../templates/ent_policy.html"),
    ),
    (
        "ent_figures_table.html",
        include_str!("../templates/ent_figures_table.html"),
    ),
    (
        "ent_figures.html",
        include_str!("../templates/ent_figures.html"),
    ),
    (
        "ent_report.html",
        include_str!("../templates/ent_report.html"),
    ),
    ("grid_map.html", include_str!("../templates/grid_map.html")),
    (
        "grid_admin.html",
        include_str!("../templates/grid_admin.html"),
    ),
    (
        "grid_desk.html",
        include_str!("../templates/grid_desk.html"),
    ),
    (
        "grid_report.html",
        include_str!("../templates/grid_report.html"),
    ),
    (
        "grid_event.html",
        include_str!("../templates/grid_event.html"),
    ),
    (
        "grid_ledger.html",
        include_str!("../templates/grid_ledger.html"),
    ),
    ("login.html", include_str!("../templates/login.html")),
    ("home.html", include_str!("../templates/home.html")),
    ("error.html", include_str!("../templates/error.html")),
    (
        "rating_form.html",
        include_str!("../templates/rating_form.html"),
    ),
    ("rate.html", include_str!("../templates/rate.html")),
    (
        "rate_done.html",
        include_str!("../templates/rate_done.html"),
    ),
    (
        "evaluation.html",
        include_str!("../templates/evaluation.html"),
    ),
    (
        "rectification.html",
        include_str!("../templates/rectification.html"),
    ),
    (
        "complaints.html",
        include_str!("../templates/complaints.html"),
    ),
    (
        "supervisors.html",
        include_str!("../templates/supervisors.html"),
    ),
    (
        "complaint.html",
        include_str!("../templates/complaint.html"),
    ),
    (
        "ratings_public.html",
        include_str!("../templates/ratings_public.html"),
    ),
    ("list.html", include_str!("../templates/list.html")),
    ("form.html", include_str!("../templates/form.html")),
    ("edit.html", include_str!("../templates/edit.html")),
    ("account.html", include_str!("../templates/account.html")),
    ("audit.html", include_str!("../templates/audit.html")),
    (
        "trail_table.html",
        include_str!("../templates/trail_table.html"),
    ),
    ("portal.html", include_str!("../templates/portal.html")),
    (
        "search_box.html",
        include_str!("../templates/search_box.html"),
    ),
    ("search.html", include_str!("../templates/search.html")),
    ("guide.html", include_str!("../templates/guide.html")),
    ("notice.html", include_str!("../templates/notice.html")),
    ("topic.html", include_str!("../templates/topic.html")),
    ("poster.html", include_str!("../templates/poster.html")),
    ("stats.html", include_str!("../templates/stats.html")),
    (
        "matter_admin.html",
        include_str!("../templates/matter_admin.html"),
    ),
    (
        "version_admin.html",
        include_str!("../templates/version_admin.html"),
    ),
    (
        "import_result.html",
        include_str!("../templates/import_result.html"),
    ),
    ("cases.html", include_str!("../templates/cases.html")),
    ("case.html", include_str!("../templates/case.html")),
    (
        "case_print.html",
        include_str!("../templates/case_print.html"),
    ),
    ("apply.html", include_str!("../templates/apply.html")),
    (
        "workbench.html",
        include_str!("../templates/workbench.html"),
    ),
    ("progress.html", include_str!("../templates/progress.html")),
    (
        "calendar_admin.html",
        include_str!("../templates/calendar_admin.html"),
    ),
    (
        "hall_index.html",
        include_str!("../templates/hall_index.html"),
    ),
    (
        "hall_kiosk.html",
        include_str!("../templates/hall_kiosk.html"),
    ),
    (
        "hall_ticket.html",
        include_str!("../templates/hall_ticket.html"),
    ),
    (
        "hall_board.html",
        include_str!("../templates/hall_board.html"),
    ),
    (
        "hall_screen.html",
        include_str!("../templates/hall_screen.html"),
    ),
    ("hall_pad.html", include_str!("../templates/hall_pad.html")),
    (
        "hall_console.html",
        include_str!("../templates/hall_console.html"),
    ),
    (
        "hall_stats.html",
        include_str!("../templates/hall_stats.html"),
    ),
    (
        "hall_book.html",
        include_str!("../templates/hall_book.html"),
    ),
    (
        "hall_appointment.html",
        include_str!("../templates/hall_appointment.html"),
    ),
    (
        "supervision.html",
        include_str!("../templates/supervision.html"),
    ),
    ("urges.html", include_str!("../templates/urges.html")),
    ("urge.html", include_str!("../templates/urge.html")),
    ("wall.html", include_str!("../templates/wall.html")),
    ("figures.html", include_str!("../templates/figures.html")),
    (
        "figures_report.html",
        include_str!("../templates/figures_report.html"),
    ),
];

pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Lenient);
    for (name, src) in SOURCES {
        // The templates are ours and tested; a broken one is a build mistake, shown at start-up.
        if let Err(e) = env.add_template(name, src) {
            panic!("template {name} does not compile: {e}");
        }
    }
    env.add_function("t", |state: &State, key: &str| -> String {
        let lang = state
            .lookup("lang")
            .and_then(|v| v.as_str().and_then(Lang::parse))
            .unwrap_or_default();
        tr(key, lang)
    });
    env
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_template_file_is_compiled_in() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        for entry in std::fs::read_dir(dir).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            assert!(
                super::SOURCES.iter().any(|(n, _)| *n == name),
                "{name} is not in SOURCES"
            );
        }
    }

    #[test]
    fn every_template_compiles() {
        let env = super::environment();
        for (name, _) in super::SOURCES {
            assert!(env.get_template(name).is_ok(), "{name}");
        }
    }
}
