//! Electronic supervision (电子监察): when a running clock turns yellow and red (`lights`), and
//! urging with its escalation (`urge`).

pub mod lights;
pub mod urge;
