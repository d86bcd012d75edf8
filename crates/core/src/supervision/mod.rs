//! Electronic supervision (电子监察): when a running clock turns yellow and red (`lights`), and
//! urging with its escalation (`urge`), and the figures with their rollup contributions
//! (`figures`).

pub mod figures;
pub mod lights;
pub mod urge;
