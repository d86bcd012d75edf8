//! Small closed vocabularies (states, channels, kinds) with a stable code for the API and the
//! database and a name in both languages for pages and notices.

/// Declares a vocabulary: the enum, its codes and names, and parsing from either.
macro_rules! vocabulary {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = ($code:literal, $zh:literal, $en:literal)),+ $(,)? }) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        $(#[$m])*
        pub enum $name { $($(#[$vm])* $v),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),+];

            pub fn code(self) -> &'static str {
                match self { $($name::$v => $code),+ }
            }

            pub fn name(self) -> $crate::i18n::Text {
                match self { $($name::$v => $crate::i18n::Text::fixed($zh, $en)),+ }
            }

            /// From the code or the Chinese name.
            pub fn parse(s: &str) -> Option<$name> {
                let s = s.trim();
                $name::ALL.iter().copied().find(|v| v.code() == s || v.name().zh == s)
            }
        }
    };
}

pub(crate) use vocabulary;
