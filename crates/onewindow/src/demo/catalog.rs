//! The demo district's catalog: 759 matters of its 17 departments, of which the seeds' own
//! examples (休学/复学, 土地登记, 企业注册登记, 身份证办理 …) and the 57 matters of the life-event
//! wall are written out by hand; the rest are generated, deterministically, so that the
//! catalog's statistics come out as the seeds report them for 龙港区: 663 of 759 stationed
//! (87.35%), 554 in at most one visit (72.99%), 199 without a visit (26.22%), 694 online
//! (91.44%), 113 on the spot, and promised limits 50.86% below the statutory ones. The
//! statistics page computes these from the rows; nothing here states them.

use onewindow_core::catalog::bundle::{Audience, TopicInput, TopicKind};
use onewindow_core::catalog::record::ImportedMatter;
use onewindow_core::catalog::*;
use std::collections::HashSet;

pub const TOTAL: usize = 759;
pub const STATIONED: usize = 663;
pub const AT_MOST_ONE_VISIT: usize = 554;
pub const NO_VISIT: usize = 199;
pub const ONLINE: usize = 694;
pub const IMMEDIATE: usize = 113;
/// Promised ÷ statutory, as 1 − 50.86%.
const PROMISED_SHARE: f64 = 0.4914;

/// Matters per department, in the order of `super::DEPARTMENTS` (759 in all).
const PER_DEPARTMENT: [usize; 17] = [
    20, 95, 70, 80, 60, 75, 45, 70, 45, 50, 30, 30, 15, 25, 4, 30, 15,
];

/// Where a department's windows are: (zone id, window numbers).
pub type Placement = Vec<(i64, Vec<i64>)>;

fn m(
    name: &str,
    form: MaterialForm,
    copies: i64,
    condition: Option<&str>,
    shared: bool,
) -> Material {
    Material {
        name: name.into(),
        form,
        copies,
        condition: condition.map(str::to_string),
        shared,
        blank_form: None,
        sample: None,
        licence: None,
    }
}

/// The business licence as a material: an applicant who holds one (营业执照, type `yyzz`) takes
/// it from the licence library instead of bringing it (电子证照·免提交).
fn business_licence() -> Material {
    Material {
        licence: Some("yyzz".into()),
        ..m("营业执照", C, 1, None, false)
    }
}

use MaterialForm::{Copy as C, Original as O, OriginalAndCopy as OC};

/// A hand-written matter: department index, name, aliases, kind, basis, materials, statutory and
/// promised days, visits, modes.
struct Written {
    dept: usize,
    name: &'static str,
    aliases: &'static [&'static str],
    kind: MatterKind,
    applicant: Applicant,
    basis: &'static str,
    conditions: &'static str,
    materials: Vec<Material>,
    fees: Vec<Fee>,
    days: (i64, i64),
    visits: i64,
    modes: &'static [ServiceMode],
    steps: &'static [&'static str],
    special: Vec<SpecialProcedure>,
}

use ServiceMode::*;

fn written() -> Vec<Written> {
    let id = || m("申请人居民身份证", OC, 1, None, true);
    let book = || m("居民户口簿", O, 1, None, true);
    let mut v = vec![
        Written {
            dept: 10,
            name: "义务教育阶段学生休学",
            aliases: &["休学", "中小学休学", "学生休学"],
            kind: MatterKind::PublicService,
            applicant: Applicant::Person,
            basis: "《中华人民共和国义务教育法》；《中小学生学籍管理办法》（教基一〔2013〕7号）第十五条",
            conditions: "义务教育阶段在校学生因病或其他特殊情况需暂停学业的，由监护人提出申请。",
            materials: vec![
                Material { blank_form: Some("学生休学申请表（空白表格）.xlsx".into()), sample: Some("学生休学申请表（示范文本）.xlsx".into()), ..m("学生休学申请表", O, 1, None, false) },
                m("学生监护人居民身份证", OC, 1, None, true),
                book(),
                m("二级以上医院出具的诊断证明", O, 1, Some("因病申请休学的"), false),
                m("相关情况说明", O, 1, Some("因其他特殊情况申请休学的"), false),
            ],
            fees: vec![],
            days: (10, 3),
            visits: 0,
            modes: &[Online, NoVisit],
            steps: &["监护人提交申请", "学校审核", "教育局审批", "学籍系统办理休学"],
            special: vec![],
        },
        Written {
            dept: 10,
            name: "义务教育阶段学生复学",
            aliases: &["复学", "中小学复学"],
            kind: MatterKind::PublicService,
            applicant: Applicant::Person,
            basis: "《中华人民共和国义务教育法》；《中小学生学籍管理办法》（教基一〔2013〕7号）第十五条",
            conditions: "休学期满或休学原因消除的学生，由监护人提出复学申请。",
            materials: vec![
                Material { blank_form: Some("学生复学申请表（空白表格）.xlsx".into()), ..m("学生复学申请表", O, 1, None, false) },
                m("学生监护人居民身份证", OC, 1, None, true),
                book(),
                m("二级以上医院出具的康复证明", O, 1, Some("因病休学的"), false),
            ],
            fees: vec![],
            days: (10, 3),
            visits: 0,
            modes: &[Online, NoVisit],
            steps: &["监护人提交申请", "学校审核", "教育局审批", "学籍系统办理复学"],
            special: vec![],
        },
        Written {
            dept: 4,
            name: "国有建设用地使用权首次登记",
            aliases: &["土地登记", "土地证办理", "土地使用权登记"],
            kind: MatterKind::Confirmation,
            applicant: Applicant::Both,
            basis: "《不动产登记暂行条例》第十四条；《不动产登记暂行条例实施细则》第三十四条",
            conditions: "依法取得国有建设用地使用权，已缴清土地出让价款及相关税费。",
            materials: vec![
                m("不动产登记申请书", O, 1, None, false),
                id(),
                m("土地出让价款缴纳凭证", OC, 1, None, false),
                m("国有建设用地使用权出让合同或划拨决定书", OC, 1, None, false),
                m("不动产权籍调查表、宗地图及宗地界址点坐标", O, 1, None, false),
                m("完税凭证", OC, 1, None, true),
            ],
            fees: vec![Fee { name: "不动产登记费".into(), amount_fen: 55_000, basis: "《财政部 国家发展改革委关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）".into() }],
            days: (30, 5),
            visits: 1,
            modes: &[Window, Online, AtMostOnce, HomeVisit, Agency],
            steps: &["申请", "受理", "审核", "登簿", "缮证发证"],
            special: vec![SpecialProcedure { name: "公告".into(), days: 15, note: Some("首次登记依法公告".into()) }],
        },
        Written {
            dept: 1,
            name: "企业设立登记",
            aliases: &["企业注册登记", "公司注册", "营业执照办理", "开公司"],
            kind: MatterKind::Licensing,
            applicant: Applicant::Both,
            basis: "《中华人民共和国公司法》；《中华人民共和国市场主体登记管理条例》第十九条",
            conditions: "有符合规定的名称、住所、经营范围和出资，法定代表人等人员符合任职资格。",
            materials: vec![
                m("公司登记（备案）申请书", O, 1, None, false),
                m("公司章程", O, 1, None, false),
                m("股东的主体资格文件或自然人身份证明", C, 1, None, true),
                m("法定代表人、董事、监事和经理的任职文件", O, 1, None, false),
                m("住所使用相关文件", C, 1, None, false),
                m("前置审批文件或许可证件", C, 1, Some("经营范围涉及前置许可的"), false),
            ],
            fees: vec![],
            days: (15, 1),
            visits: 0,
            modes: &[Online, NoVisit, Agency],
            steps: &["网上申请", "审核", "核准", "电子营业执照发放"],
            special: vec![],
        },
        Written {
            dept: 5,
            name: "居民身份证申领",
            aliases: &["身份证办理", "办身份证", "首次申领身份证"],
            kind: MatterKind::OtherPower,
            applicant: Applicant::Person,
            basis: "《中华人民共和国居民身份证法》第八条、第十条",
            conditions: "居住在中华人民共和国境内的年满十六周岁的中国公民；未满十六周岁的可以申领。",
            materials: vec![book(), m("符合标准的相片（现场采集）", O, 1, None, false), m("监护人居民身份证", OC, 1, Some("未满十六周岁的"), true)],
            fees: vec![Fee { name: "居民身份证工本费".into(), amount_fen: 2000, basis: "《国家发展改革委 财政部关于居民身份证收费标准及有关问题的通知》（发改价格〔2003〕2322号）".into() }],
            days: (60, 20),
            visits: 1,
            modes: &[Window, AtMostOnce],
            steps: &["现场受理并采集指纹", "审核", "制证", "领证或邮寄"],
            special: vec![],
        },
        Written {
            dept: 5,
            name: "公章刻制备案",
            aliases: &["刻章", "公章刻制"],
            kind: MatterKind::OtherPower,
            applicant: Applicant::Legal,
            basis: "《国务院关于第六批取消和调整行政审批项目的决定》（国发〔2012〕52号）",
            conditions: "已取得营业执照的企业。",
            materials: vec![business_licence(), m("法定代表人居民身份证", C, 1, None, true)],
            fees: vec![],
            days: (1, 0),
            visits: 1,
            modes: &[Window, AtMostOnce, Immediate],
            steps: &["申请", "刻制", "备案"],
            special: vec![],
        },
        Written {
            dept: 2,
            name: "新办纳税人套餐式服务",
            aliases: &["税务登记", "新办企业涉税事项"],
            kind: MatterKind::PublicService,
            applicant: Applicant::Legal,
            basis: "《中华人民共和国税收征收管理法》第十五条",
            conditions: "新设立登记的市场主体。",
            materials: vec![business_licence(), m("经办人居民身份证", C, 1, None, true), m("税务事项通知书（申请开具发票的）", O, 1, Some("需要领用发票的"), false)],
            fees: vec![],
            days: (5, 0),
            visits: 0,
            modes: &[Online, NoVisit, Immediate],
            steps: &["网上申请", "即时办结"],
            special: vec![],
        },
        Written {
            dept: 0,
            name: "企业开户信息推送（银行开户）",
            aliases: &["银行开户", "企业开户"],
            kind: MatterKind::PublicService,
            applicant: Applicant::Legal,
            basis: "《国务院办公厅关于进一步优化营商环境更好服务市场主体的实施意见》（国办发〔2020〕24号）",
            conditions: "新设立的企业。",
            materials: vec![business_licence()],
            fees: vec![],
            days: (1, 0),
            visits: 0,
            modes: &[Online, NoVisit, Immediate],
            steps: &["选择开户银行", "信息推送", "银行预约"],
            special: vec![],
        },
        Written {
            dept: 15,
            name: "技术改造项目备案",
            aliases: &["技改项目备案", "技改备案"],
            kind: MatterKind::OtherPower,
            applicant: Applicant::Legal,
            basis: "《企业投资项目核准和备案管理条例》第十三条",
            conditions: "企业在本行政区域内实施的不涉及新增用地的技术改造项目。",
            materials: vec![m("项目备案信息表", O, 1, None, false), business_licence()],
            fees: vec![],
            days: (3, 1),
            visits: 0,
            modes: &[Online, NoVisit, Agency],
            steps: &["网上填报", "备案"],
            special: vec![],
        },
        Written {
            dept: 3,
            name: "建筑工程施工许可证核发",
            aliases: &["施工许可证", "施工许可"],
            kind: MatterKind::Licensing,
            applicant: Applicant::Legal,
            basis: "《中华人民共和国建筑法》第七条、第八条；《建筑工程施工许可管理办法》",
            conditions: "已办理用地批准手续、规划许可，施工图审查合格，已确定施工企业，资金已落实。",
            materials: vec![
                m("建筑工程施工许可证申请表", O, 1, None, false),
                m("建设工程规划许可证", C, 1, None, true),
                m("中标通知书或直接发包批准文件", C, 1, None, false),
                m("施工图设计文件审查合格书", C, 1, None, true),
                m("建设资金已经落实承诺书", O, 1, None, false),
            ],
            fees: vec![],
            days: (15, 3),
            visits: 1,
            modes: &[Window, Online, AtMostOnce, Agency],
            steps: &["申请", "受理", "审查", "决定", "发证"],
            special: vec![SpecialProcedure { name: "现场核查".into(), days: 5, note: None }],
        },
        Written {
            dept: 8,
            name: "城乡居民最低生活保障审核确认",
            aliases: &["低保申请", "最低生活保障"],
            kind: MatterKind::Payment,
            applicant: Applicant::Person,
            basis: "《社会救助暂行办法》第九条至第十一条",
            conditions: "共同生活的家庭成员人均收入低于当地最低生活保障标准，且符合家庭财产状况规定。",
            materials: vec![m("最低生活保障申请书", O, 1, None, false), book(), id(), m("家庭经济状况核对授权书", O, 1, None, false)],
            fees: vec![],
            days: (30, 20),
            visits: 1,
            modes: &[Window, Online, AtMostOnce, HomeVisit, Agency],
            steps: &["申请", "入户调查", "民主评议", "审核确认", "公示"],
            special: vec![SpecialProcedure { name: "公示".into(), days: 7, note: None }],
        },
    ];
    // The life-event wall: 57 matters over 出生、上学、就业、结婚、退休.
    for (dept, name) in wall().iter().flat_map(|(_, list)| list.iter()) {
        if v.iter().any(|w| w.name == *name) {
            continue;
        }
        v.push(Written {
            dept: *dept,
            name,
            aliases: &[],
            kind: MatterKind::PublicService,
            applicant: Applicant::Person,
            basis: "",
            conditions: "",
            materials: vec![],
            fees: vec![],
            days: (0, 0),
            visits: -1,
            modes: &[],
            steps: &[],
            special: vec![],
        });
    }
    v
}

/// The 57 matters of the life-event wall, by stage: (department index, name).
pub fn wall() -> Vec<(&'static str, Vec<(usize, &'static str)>)> {
    vec![
        (
            "出生",
            vec![
                (9, "出生医学证明办理"),
                (5, "新生儿出生登记"),
                (11, "新生儿城乡居民基本医疗保险参保登记"),
                (9, "生育登记服务"),
                (11, "生育津贴申领"),
                (9, "预防接种证办理"),
                (9, "独生子女父母光荣证办理"),
                (7, "新生儿社会保障卡申领"),
                (9, "孕产妇保健手册办理"),
                (9, "计划生育家庭特别扶助金申领"),
                (9, "农村部分计划生育家庭奖励扶助金申领"),
            ],
        ),
        (
            "上学",
            vec![
                (10, "义务教育阶段学生休学"),
                (10, "义务教育阶段学生复学"),
                (10, "义务教育阶段学生转学"),
                (10, "适龄儿童入学登记"),
                (10, "适龄儿童少年延缓入学"),
                (10, "家庭经济困难学生资助申请"),
                (10, "普通高中学生转学"),
                (10, "教师资格认定"),
                (10, "民办学校设立审批"),
                (10, "校外培训机构设立审批"),
                (10, "学历证明书补办"),
                (10, "随迁子女入学资格审核"),
            ],
        ),
        (
            "就业",
            vec![
                (7, "就业登记"),
                (7, "失业登记"),
                (7, "失业保险金申领"),
                (7, "就业创业证申领"),
                (7, "创业担保贷款申请"),
                (7, "职业技能等级认定"),
                (7, "社会保险登记"),
                (7, "职工参保登记"),
                (7, "人力资源服务许可"),
                (7, "劳务派遣经营许可"),
                (7, "高校毕业生就业报到"),
                (7, "灵活就业人员社会保险补贴申领"),
            ],
        ),
        (
            "结婚",
            vec![
                (8, "结婚登记"),
                (8, "补领结婚证"),
                (8, "撤销受胁迫婚姻登记"),
                (8, "离婚登记"),
                (8, "婚姻登记记录证明"),
                (5, "户口登记项目变更（婚姻状况）"),
                (5, "夫妻投靠落户"),
                (4, "夫妻间不动产转移登记"),
                (9, "婚前医学检查"),
                (9, "再生育审批"),
            ],
        ),
        (
            "退休",
            vec![
                (7, "职工正常退休审批"),
                (7, "职工提前退休（病退）审批"),
                (7, "基本养老保险待遇申领"),
                (7, "基本养老保险关系转移接续"),
                (7, "城乡居民养老保险待遇申领"),
                (7, "退休人员基本养老金领取资格认证"),
                (7, "丧葬补助金和抚恤金申领"),
                (8, "高龄津贴申领"),
                (8, "老年人优待证办理"),
                (8, "居家养老服务补贴申请"),
                (11, "医保关系转移接续"),
                (11, "退休人员医保待遇核定"),
            ],
        ),
    ]
}

/// Objects each department's generated matters are about; each gets up to five variants.
fn objects(dept: usize) -> &'static [&'static str] {
    match dept {
        0 => &[
            "企业投资项目代办服务",
            "工程建设项目帮办服务",
            "政务服务事项咨询",
            "营商环境问题受理",
        ],
        1 => &[
            "食品经营许可",
            "食品生产许可",
            "药品零售企业许可",
            "医疗器械经营许可",
            "特种设备使用登记",
            "个体工商户登记",
            "农民专业合作社登记",
            "企业名称登记",
            "股权出质登记",
            "动产抵押登记",
            "计量器具检定",
            "广告发布登记",
            "企业注销登记",
            "营业执照补领",
            "电梯安全检验",
            "网络交易经营者登记",
            "小作坊登记",
            "餐饮服务许可",
            "商标质押登记",
            "价格举报受理",
        ],
        2 => &[
            "增值税专用发票领用",
            "发票代开",
            "纳税申报",
            "税务注销",
            "出口退税备案",
            "税收减免备案",
            "完税证明开具",
            "一般纳税人登记",
            "跨区域涉税事项报告",
            "车辆购置税缴纳",
            "房产税申报",
            "土地使用税申报",
            "个人所得税汇算清缴",
            "印花税申报",
        ],
        3 => &[
            "建筑业企业资质",
            "房屋建筑工程竣工验收备案",
            "商品房预售许可",
            "城市建筑垃圾处置核准",
            "燃气经营许可",
            "物业服务企业备案",
            "房屋租赁登记备案",
            "施工图审查备案",
            "建设工程消防验收",
            "建设工程消防设计审查",
            "城镇污水排入排水管网许可",
            "临时占用城市道路许可",
            "城市道路挖掘许可",
            "市政设施建设类审批",
            "房地产开发企业资质",
            "住房保障资格审核",
        ],
        4 => &[
            "不动产转移登记",
            "不动产抵押登记",
            "不动产变更登记",
            "不动产注销登记",
            "不动产预告登记",
            "不动产查封登记",
            "建设用地规划许可",
            "建设工程规划许可",
            "乡村建设规划许可",
            "临时用地审批",
            "采矿权登记",
            "测绘资质审批",
        ],
        5 => &[
            "户口迁移",
            "居住证办理",
            "临时身份证明办理",
            "户籍证明开具",
            "大型群众性活动安全许可",
            "剧毒化学品购买许可",
            "烟花爆竹运输许可",
            "机动车登记",
            "驾驶证换证",
            "出入境证件办理",
            "犬类登记",
            "旅馆业特种行业许可",
            "保安员证核发",
            "无犯罪记录证明开具",
            "户口登记项目变更",
        ],
        6 => &[
            "道路货物运输经营许可",
            "道路旅客运输经营许可",
            "网络预约出租汽车经营许可",
            "机动车维修经营备案",
            "驾驶员培训许可",
            "超限运输车辆行驶公路许可",
            "公路建设项目施工许可",
            "出租汽车驾驶员从业资格",
            "道路运输证配发",
        ],
        7 => &[
            "养老保险参保登记",
            "工伤认定",
            "劳动能力鉴定",
            "技工院校设立审批",
            "劳动合同备案",
            "企业实行不定时工作制审批",
            "职业培训补贴申领",
            "社会保障卡补换",
            "社会保险费补缴",
            "工伤保险待遇申领",
            "人事档案托管",
            "专业技术职务任职资格评审",
            "劳动争议仲裁申请",
            "工资支付保障",
        ],
        8 => &[
            "社会团体成立登记",
            "民办非企业单位登记",
            "殡葬服务",
            "临时救助申请",
            "特困人员救助供养",
            "残疾人两项补贴",
            "养老机构备案",
            "慈善组织认定",
            "地名命名更名",
        ],
        9 => &[
            "医疗机构执业登记",
            "医师执业注册",
            "护士执业注册",
            "公共场所卫生许可",
            "母婴保健技术服务许可",
            "放射诊疗许可",
            "饮用水供水单位卫生许可",
            "职业健康检查机构备案",
            "中医诊所备案",
            "消毒产品生产企业卫生许可",
        ],
        10 => &[
            "民办学校变更",
            "教师资格证补发",
            "学生学籍信息变更",
            "民办幼儿园设立",
            "义务教育阶段学生借读",
        ],
        11 => &[
            "医疗费用手工报销",
            "异地就医备案",
            "门诊慢特病待遇认定",
            "城乡居民医保参保登记",
            "医保定点机构协议管理",
            "职工医保个人账户家庭共济",
        ],
        12 => &[
            "退役军人优待证申领",
            "伤残抚恤关系转移",
            "退役士兵自主就业一次性经济补助",
            "烈士褒扬金发放",
        ],
        13 => &[
            "城市户外广告设置许可",
            "城市大型户外广告审批",
            "占道经营审批",
            "环境卫生设施拆除审批",
            "建筑垃圾运输车辆核准",
        ],
        14 => &["信访事项受理", "信访事项复查", "网上信访"],
        15 => &[
            "企业投资项目备案",
            "固定资产投资项目节能审查",
            "政府投资项目审批",
            "粮食收购资格备案",
            "价格认定",
        ],
        16 => &[
            "建设项目环境影响评价审批",
            "排污许可",
            "危险废物经营许可",
            "辐射安全许可",
        ],
        _ => &["综合服务"],
    }
}

const VARIANTS: [&str; 5] = ["", "（变更）", "（延续）", "（注销）", "（补办）"];

fn basis_of(dept: usize) -> &'static str {
    match dept {
        0 => "《优化营商环境条例》",
        1 => "《中华人民共和国市场主体登记管理条例》；《中华人民共和国食品安全法》",
        2 => "《中华人民共和国税收征收管理法》及其实施细则",
        3 => "《中华人民共和国建筑法》；《城市房地产开发经营管理条例》",
        4 => "《不动产登记暂行条例》；《中华人民共和国城乡规划法》",
        5 => "《中华人民共和国户口登记条例》；《中华人民共和国治安管理处罚法》",
        6 => "《中华人民共和国道路运输条例》",
        7 => "《中华人民共和国社会保险法》；《中华人民共和国就业促进法》",
        8 => "《社会救助暂行办法》；《婚姻登记条例》",
        9 => "《医疗机构管理条例》；《中华人民共和国母婴保健法》",
        10 => "《中华人民共和国义务教育法》；《中华人民共和国民办教育促进法》",
        11 => "《医疗保障基金使用监督管理条例》",
        12 => "《退役军人保障法》；《军人抚恤优待条例》",
        13 => "《城市市容和环境卫生管理条例》",
        14 => "《信访工作条例》",
        15 => "《企业投资项目核准和备案管理条例》",
        16 => "《中华人民共和国环境影响评价法》；《排污许可管理条例》",
        _ => "《优化营商环境条例》",
    }
}

fn kind_of(dept: usize, k: usize) -> MatterKind {
    match (dept, k % 4) {
        (1 | 3 | 6 | 9 | 16, 0 | 1) => MatterKind::Licensing,
        (4 | 5, _) => MatterKind::Confirmation,
        (7 | 8 | 11 | 12, 0) => MatterKind::Payment,
        (13, _) => MatterKind::Licensing,
        (2, 3) => MatterKind::Levy,
        (_, 3) => MatterKind::OtherPower,
        _ => MatterKind::PublicService,
    }
}

/// Picks `n` of `candidates`, spread evenly by a fixed shuffle.
fn pick(candidates: &[usize], n: usize, salt: usize) -> HashSet<usize> {
    let mut c = candidates.to_vec();
    c.sort_by_key(|i| (i * salt + 7) % 7919);
    c.into_iter().take(n).collect()
}

/// The whole demo catalog: `(department index, code, guide)`, cleaned and checked.
pub fn matters(
    hall_id: Option<i64>,
    hall_address: &str,
    phones: &[&str],
    placement: &[Placement],
) -> Vec<(usize, String, Guide)> {
    let written = written();
    // Names per department: the written ones first, then generated ones up to its count.
    let mut plan: Vec<(usize, &str, Option<&Written>)> = Vec::new();
    let mut generated_names: Vec<String> = Vec::new();
    for (dept, count) in PER_DEPARTMENT.iter().enumerate() {
        let mine: Vec<&Written> = written.iter().filter(|w| w.dept == dept).collect();
        for w in &mine {
            plan.push((dept, w.name, Some(*w)));
        }
        let need = count.saturating_sub(mine.len());
        let objs = objects(dept);
        let mut k = 0;
        let mut made = 0;
        while made < need {
            let name = format!(
                "{}{}",
                objs[k % objs.len()],
                VARIANTS[(k / objs.len()) % VARIANTS.len()]
            );
            let name = if k / (objs.len() * VARIANTS.len()) > 0 {
                format!("{name}（{}）", k / (objs.len() * VARIANTS.len()) + 1)
            } else {
                name
            };
            k += 1;
            if written.iter().any(|w| w.name == name) {
                continue;
            }
            generated_names.push(name);
            made += 1;
        }
    }
    // Generated names, in department order, follow the written ones of each department.
    let mut gen_iter = generated_names.iter();
    let mut rows: Vec<(usize, String, Guide, bool)> = Vec::new(); // (dept, code, guide, generated)
    let mut seq_by_dept = [0usize; 17];
    for (dept, count) in PER_DEPARTMENT.iter().enumerate() {
        let mine: Vec<&Written> = written.iter().filter(|w| w.dept == dept).collect();
        let mut list: Vec<(String, Option<&Written>)> = mine
            .iter()
            .map(|w| (w.name.to_string(), Some(*w)))
            .collect();
        while list.len() < *count {
            match gen_iter.next() {
                Some(n) => list.push((n.clone(), None)),
                None => break,
            }
        }
        for (name, w) in list {
            seq_by_dept[dept] += 1;
            let code = format!("211403{:02}{:04}000", dept + 1, seq_by_dept[dept]);
            let (zone_id, windows) = placement
                .get(dept)
                .and_then(|p| p.first())
                .map(|(z, ws)| (Some(*z), ws.clone()))
                .unwrap_or((None, vec![]));
            let g = Guide {
                name: name.clone(),
                aliases: w
                    .map(|w| w.aliases.iter().map(|a| a.to_string()).collect())
                    .unwrap_or_default(),
                kind: w
                    .filter(|w| w.visits >= 0)
                    .map_or(kind_of(dept, seq_by_dept[dept]), |w| w.kind),
                level: "区级".into(),
                legal_basis: w
                    .map(|w| w.basis)
                    .filter(|b| !b.is_empty())
                    .unwrap_or(basis_of(dept))
                    .into(),
                applicant: w.filter(|w| w.visits >= 0).map_or(
                    if dept == 1 || dept == 2 || dept == 3 {
                        Applicant::Legal
                    } else {
                        Applicant::Person
                    },
                    |w| w.applicant,
                ),
                conditions: w.map(|w| w.conditions.to_string()).unwrap_or_default(),
                materials: match w.filter(|w| !w.materials.is_empty()) {
                    Some(w) => w.materials.clone(),
                    None => vec![
                        Material {
                            blank_form: Some(format!("{name}申请表（空白表格）.xlsx")),
                            ..m(&format!("{name}申请表"), O, 1, None, false)
                        },
                        m("申请人身份证明", C, 1, None, true),
                        m("相关证明材料", O, 1, Some("按申请情形提供"), false),
                    ],
                },
                fees: w.map(|w| w.fees.clone()).unwrap_or_default(),
                statutory_days: 0,
                promised_days: 0,
                special_procedures: w.map(|w| w.special.clone()).unwrap_or_default(),
                steps: match w.filter(|w| !w.steps.is_empty()) {
                    Some(w) => w
                        .steps
                        .iter()
                        .map(|s| Step {
                            name: s.to_string(),
                            note: None,
                        })
                        .collect(),
                    None => ["申请", "受理", "审查", "决定", "送达"]
                        .iter()
                        .map(|s| Step {
                            name: s.to_string(),
                            note: None,
                        })
                        .collect(),
                },
                modes: w.map(|w| w.modes.to_vec()).unwrap_or_default(),
                visits: w.map_or(-1, |w| w.visits),
                hall_id,
                zone_id,
                windows,
                address: hall_address.into(),
                hours: "周一至周五 8:30-11:30，13:30-17:00（法定节假日除外）".into(),
                consult_phone: phones.get(dept).copied().unwrap_or("0429-12345").into(),
                complaint_phone: "12345".into(),
                stationed: true,
            };
            let is_generated = w.is_none_or(|w| w.visits < 0);
            let g = match w.filter(|w| w.visits >= 0) {
                Some(w) => Guide {
                    statutory_days: w.days.0,
                    promised_days: w.days.1,
                    ..g
                },
                None => g,
            };
            rows.push((dept, code, g, is_generated));
        }
    }
    assign_figures(&mut rows);
    rows.into_iter()
        .map(|(d, code, g, _)| {
            let g = g.clean().unwrap_or_else(|e| {
                panic!(
                    "demo matter {code}: {}",
                    e.message(onewindow_core::Lang::En)
                )
            });
            (d, code, g)
        })
        .collect()
}

/// Sets visits, modes, stationing and limits of the generated matters so that the whole
/// catalog has the seeds' counts, given what the written matters already contribute.
fn assign_figures(rows: &mut [(usize, String, Guide, bool)]) {
    let written: Vec<&Guide> = rows.iter().filter(|r| !r.3).map(|r| &r.2).collect();
    let w_no_visit = written.iter().filter(|g| g.visits == 0).count();
    let w_once = written.iter().filter(|g| g.visits <= 1).count();
    let w_online = written
        .iter()
        .filter(|g| g.modes.contains(&Online) || g.modes.contains(&NoVisit))
        .count();
    let w_immediate = written
        .iter()
        .filter(|g| g.modes.contains(&Immediate) || g.promised_days == 0)
        .count();
    let generated: Vec<usize> = (0..rows.len()).filter(|i| rows[*i].3).collect();
    let no_visit = pick(&generated, NO_VISIT - w_no_visit, 337);
    let rest: Vec<usize> = generated
        .iter()
        .copied()
        .filter(|i| !no_visit.contains(i))
        .collect();
    let one_visit = pick(&rest, AT_MOST_ONE_VISIT - w_once - no_visit.len(), 211);
    let online = pick(&rest, ONLINE - w_online - no_visit.len(), 97);
    let ones: Vec<usize> = one_visit.iter().copied().collect();
    let immediate = pick(&ones, IMMEDIATE - w_immediate, 131);
    let not_stationed = pick(
        &no_visit.iter().copied().collect::<Vec<_>>(),
        TOTAL - STATIONED,
        53,
    );
    const STATUTORY: [i64; 7] = [20, 10, 15, 20, 30, 20, 60];
    for (n, &i) in generated.iter().enumerate() {
        let g = &mut rows[i].2;
        g.visits = if no_visit.contains(&i) {
            0
        } else if one_visit.contains(&i) {
            1
        } else {
            2
        };
        let mut modes = Vec::new();
        if g.visits > 0 {
            modes.push(Window);
        }
        if g.visits == 0 {
            modes.extend([Online, NoVisit]);
        } else if online.contains(&i) {
            modes.push(Online);
        }
        if g.visits == 1 {
            modes.push(AtMostOnce);
        }
        if immediate.contains(&i) {
            modes.push(Immediate);
        }
        if n % 17 == 3 && g.visits > 0 {
            modes.push(HomeVisit);
        }
        if n % 13 == 5 {
            modes.push(Agency);
        }
        g.modes = modes;
        g.stationed = !not_stationed.contains(&i);
        g.statutory_days = STATUTORY[n % STATUTORY.len()];
        g.promised_days = if immediate.contains(&i) {
            0
        } else {
            (g.statutory_days / 2).max(1)
        };
    }
    // Bring the promised total to the seeds' compression, one day at a time.
    let total_s: i64 = rows.iter().map(|r| r.2.statutory_days).sum();
    let target_p = (total_s as f64 * PROMISED_SHARE).round() as i64;
    let mut p: i64 = rows.iter().map(|r| r.2.promised_days).sum();
    let adjustable: Vec<usize> = generated
        .iter()
        .copied()
        .filter(|i| !immediate.contains(i))
        .collect();
    let mut k = 0;
    while p != target_p && !adjustable.is_empty() {
        let g = &mut rows[adjustable[k % adjustable.len()]].2;
        if p < target_p && g.promised_days < g.statutory_days {
            g.promised_days += 1;
            p += 1;
        } else if p > target_p && g.promised_days > 1 {
            g.promised_days -= 1;
            p -= 1;
        }
        k += 1;
        if k > 100 * adjustable.len() {
            break;
        }
    }
}

/// Life events, themes and bundles of the demo.
pub fn topics(codes_by_name: &std::collections::HashMap<String, String>) -> Vec<TopicInput> {
    let code = |n: &str| codes_by_name.get(n).cloned().unwrap_or_default();
    let mut out = Vec::new();
    for (i, (stage, list)) in wall().into_iter().enumerate() {
        let slug = ["chusheng", "shangxue", "jiuye", "jiehun", "tuixiu"][i];
        out.push(TopicInput {
            code: slug.into(),
            name: stage.into(),
            kind: TopicKind::LifeEvent,
            audience: Audience::Person,
            description: format!("人生阶段“{stage}”要办的事，扫码即看办事指南"),
            sort: i as i64,
            matters: list.iter().map(|(_, n)| code(n)).collect(),
            version: None,
        });
    }
    let ent = [
        (
            "kaiban",
            "开办",
            vec![
                "企业设立登记",
                "公章刻制备案",
                "企业开户信息推送（银行开户）",
                "新办纳税人套餐式服务",
            ],
        ),
        (
            "jianshe",
            "投资建设",
            vec![
                "企业投资项目备案",
                "技术改造项目备案",
                "建筑工程施工许可证核发",
                "国有建设用地使用权首次登记",
            ],
        ),
        (
            "jingying",
            "经营",
            vec![
                "食品经营许可",
                "道路货物运输经营许可",
                "人力资源服务许可",
                "排污许可",
            ],
        ),
        ("zhuxiao", "注销", vec!["企业注销登记", "税务注销"]),
    ];
    for (i, (slug, name, list)) in ent.into_iter().enumerate() {
        out.push(TopicInput {
            code: slug.into(),
            name: name.into(),
            kind: TopicKind::LifeEvent,
            audience: Audience::Enterprise,
            description: format!("企业{name}阶段要办的事"),
            sort: 10 + i as i64,
            matters: list.iter().map(|n| code(n)).collect(),
            version: None,
        });
    }
    let themes = [
        (
            "shebao",
            "社保服务",
            Audience::Person,
            vec![
                "社会保险登记",
                "基本养老保险待遇申领",
                "失业保险金申领",
                "工伤认定",
                "社会保障卡补换",
            ],
        ),
        (
            "yibao",
            "医保服务",
            Audience::Person,
            vec![
                "异地就医备案",
                "医疗费用手工报销",
                "门诊慢特病待遇认定",
                "城乡居民医保参保登记",
            ],
        ),
        (
            "budongchan",
            "不动产登记",
            Audience::Person,
            vec![
                "国有建设用地使用权首次登记",
                "不动产转移登记",
                "不动产抵押登记",
                "不动产变更登记",
            ],
        ),
        (
            "huji",
            "户籍与证件",
            Audience::Person,
            vec!["居民身份证申领", "户口迁移", "居住证办理", "户籍证明开具"],
        ),
    ];
    for (i, (slug, name, aud, list)) in themes.into_iter().enumerate() {
        out.push(TopicInput {
            code: slug.into(),
            name: name.into(),
            kind: TopicKind::Theme,
            audience: aud,
            description: String::new(),
            sort: 20 + i as i64,
            matters: list.iter().map(|n| code(n)).collect(),
            version: None,
        });
    }
    let bundles = [
        (
            "kaiban-qiye",
            "开办企业一件事",
            Audience::Enterprise,
            "营业执照、公章刻制、银行开户、税务登记一次申请、一窗办结",
            vec![
                "企业设立登记",
                "公章刻制备案",
                "企业开户信息推送（银行开户）",
                "新办纳税人套餐式服务",
            ],
        ),
        (
            "xinshenger",
            "新生儿出生一件事",
            Audience::Person,
            "出生医学证明、户口登记、医保参保、社保卡一次办",
            vec![
                "出生医学证明办理",
                "新生儿出生登记",
                "新生儿城乡居民基本医疗保险参保登记",
                "新生儿社会保障卡申领",
            ],
        ),
        (
            "tuixiu",
            "退休一件事",
            Audience::Person,
            "退休审批、养老金申领、医保待遇核定一次办",
            vec![
                "职工正常退休审批",
                "基本养老保险待遇申领",
                "退休人员医保待遇核定",
            ],
        ),
    ];
    for (i, (slug, name, aud, desc, list)) in bundles.into_iter().enumerate() {
        out.push(TopicInput {
            code: format!("{slug}-yjs"),
            name: name.into(),
            kind: TopicKind::Bundle,
            audience: aud,
            description: desc.into(),
            sort: 30 + i as i64,
            matters: list.iter().map(|n| code(n)).collect(),
            version: None,
        });
    }
    out
}

/// The demo rows for the store's import.
pub fn imported(department_ids: &[i64], rows: Vec<(usize, String, Guide)>) -> Vec<ImportedMatter> {
    rows.into_iter()
        .map(|(d, code, guide)| ImportedMatter {
            code,
            department_id: department_ids[d],
            guide,
            licence_kind: None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_figures_come_out_of_the_rows() {
        let rows = matters(None, "龙港区政务服务中心", &[], &[]);
        assert_eq!(rows.len(), TOTAL);
        let codes: HashSet<&String> = rows.iter().map(|r| &r.1).collect();
        assert_eq!(codes.len(), TOTAL, "codes are unique");
        let names: HashSet<&String> = rows.iter().map(|r| &r.2.name).collect();
        assert_eq!(names.len(), TOTAL, "names are unique");
        let s = stats::compute(rows.iter().map(|r| (r.0 as i64, &r.2)));
        assert_eq!((s.stationed.count, s.stationed.percent), (663, 87.35));
        assert_eq!(
            (s.at_most_one_visit.count, s.at_most_one_visit.percent),
            (554, 72.99)
        );
        assert_eq!((s.no_visit.count, s.no_visit.percent), (199, 26.22));
        assert_eq!((s.online.count, s.online.percent), (694, 91.44));
        assert_eq!(s.immediate.count, 113);
        assert_eq!(s.time_compression_percent, 50.86);
        for (_, list) in wall() {
            for (_, n) in list {
                assert!(names.contains(&n.to_string()), "{n} is in the catalog");
            }
        }
        assert_eq!(wall().iter().map(|(_, l)| l.len()).sum::<usize>(), 57);
    }

    #[test]
    fn topics_name_existing_matters() {
        let rows = matters(None, "", &[], &[]);
        let by_name: std::collections::HashMap<String, String> = rows
            .iter()
            .map(|r| (r.2.name.clone(), r.1.clone()))
            .collect();
        for t in topics(&by_name) {
            for c in &t.matters {
                assert!(
                    !c.is_empty(),
                    "topic {} names a matter that does not exist",
                    t.code
                );
            }
            t.clean().unwrap();
        }
    }
}
