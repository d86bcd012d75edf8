//! Electronic supervision (电子监察): when a running clock turns yellow and red (issue 6 builds the
//! lists, urging, the window wall and the figures on this).

pub mod lights;
