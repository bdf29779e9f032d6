//! Enumerations stored by name: one macro writes the enum, its stored
//! names, the parser and the "unknown stored value" error, so each
//! enumeration is written once.

/// Declares an enum stored as text: `Variant = "NAME"` pairs; `$what` names
/// it in the error for a stored name this build does not know.
macro_rules! stored_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident ($what:literal) {
            $($(#[$vmeta:meta])* $variant:ident = $stored:literal),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        $vis enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $stored),+
                }
            }

            /// Parses a stored name.
            pub fn parse(stored: &str) -> $crate::error::Result<Self> {
                match stored {
                    $($stored => Ok($name::$variant),)+
                    other => Err($crate::error::Error::unknown_stored($what, other)),
                }
            }
        }
    };
}

pub(crate) use stored_enum;
