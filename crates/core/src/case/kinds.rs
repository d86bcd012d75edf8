//! The small vocabularies of a case: states, channels, delivery methods, outcomes. Each has a
//! stable code (API, database) and a name in both languages (pages, notices).

use crate::vocabulary::vocabulary;

vocabulary!(
    /// Where a case stands.
    CaseState {
        Submitted = ("submitted", "待受理", "awaiting acceptance"),
        Supplement = ("supplement", "待补正", "awaiting supplement"),
        Refused = ("refused", "不予受理", "not accepted"),
        Reviewing = ("reviewing", "审查中", "under review"),
        Decided = ("decided", "已决定", "decided"),
        Concluded = ("concluded", "已办结", "concluded"),
        Delivered = ("delivered", "已送达", "delivered"),
        Withdrawn = ("withdrawn", "已撤回", "withdrawn"),
    }
);

impl CaseState {
    /// Nothing more happens to a case in a final state.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            CaseState::Refused | CaseState::Delivered | CaseState::Withdrawn
        )
    }

    /// The case's business is done (a bundle is concluded when all its members are).
    pub fn is_concluded(self) -> bool {
        matches!(
            self,
            CaseState::Concluded | CaseState::Delivered | CaseState::Refused | CaseState::Withdrawn
        )
    }
}

vocabulary!(
    /// How the application came in.
    Channel {
        Online = ("online", "网上申请", "online"),
        Window = ("window", "窗口申请", "at a window"),
        Kiosk = ("kiosk", "自助终端", "self-service kiosk"),
        Agent = ("agent", "帮办代办", "by an agent"),
        HomeVisit = ("home_visit", "上门服务", "home visit"),
        Batch = ("batch", "批量受理", "batch"),
    }
);

vocabulary!(
    /// How the result reaches the applicant.
    DeliveryMethod {
        Window = ("window", "窗口领取", "pick-up at a window"),
        Post = ("post", "邮寄送达", "by post"),
        Home = ("home", "送证上门", "delivered to the home"),
    }
);

vocabulary!(
    Decision {
        Approve = ("approve", "准予许可", "approved"),
        Deny = ("deny", "不予许可", "denied"),
    }
);

vocabulary!(
    StepState {
        Waiting = ("waiting", "未开始", "waiting"),
        Active = ("active", "办理中", "in progress"),
        Done = ("done", "已完成", "done"),
    }
);

vocabulary!(
    StepOutcome {
        Agree = ("agree", "同意", "agree"),
        Disagree = ("disagree", "不同意", "disagree"),
    }
);

vocabulary!(
    ExtensionState {
        Requested = ("requested", "待批准", "awaiting approval"),
        Approved = ("approved", "已批准", "approved"),
        Rejected = ("rejected", "未批准", "rejected"),
    }
);

vocabulary!(
    ApplicantKind {
        Person = ("person", "自然人", "person"),
        Legal = ("legal", "法人", "legal person"),
    }
);

vocabulary!(
    NoticeChannel {
        Sms = ("sms", "短信", "SMS"),
        Email = ("email", "电子邮件", "e-mail"),
    }
);

vocabulary!(
    /// What can be done to a case. `allowed` in `machine` lists the ones open now.
    ActionKind {
        Accept = ("accept", "受理", "accept"),
        ReceiveMaterials = ("receive_materials", "收件登记", "receive materials on paper"),
        Refuse = ("refuse", "不予受理", "refuse to accept"),
        RequestSupplement = ("request_supplement", "一次性告知补正", "request supplement"),
        CompleteSupplement = ("complete_supplement", "补正完成", "supplement completed"),
        DeemAccept = ("deem_accept", "逾期视为受理", "deemed accepted"),
        ConcludeOnSpot = ("conclude_on_spot", "即办办结", "conclude on the spot"),
        Claim = ("claim", "认领", "claim"),
        FinishStep = ("finish_step", "提交审查意见", "finish step"),
        Pause = ("pause", "启动特别程序", "start special procedure"),
        Resume = ("resume", "特别程序结束", "end special procedure"),
        RequestExtension = ("request_extension", "申请延期", "request extension"),
        ApproveExtension = ("approve_extension", "批准延期", "approve extension"),
        RejectExtension = ("reject_extension", "不批准延期", "reject extension"),
        Decide = ("decide", "作出决定", "decide"),
        Conclude = ("conclude", "办结", "conclude"),
        Deliver = ("deliver", "送达", "deliver"),
        Withdraw = ("withdraw", "撤回申请", "withdraw"),
    }
);

impl ActionKind {
    /// The window's decisions on an application (受理环节): whoever takes one first is the
    /// case's clerk.
    pub fn is_intake(self) -> bool {
        matches!(
            self,
            ActionKind::Accept
                | ActionKind::Refuse
                | ActionKind::RequestSupplement
                | ActionKind::ConcludeOnSpot
        )
    }
}
