//! Escape sequences and text decoding.
//!
//! Decoding (done on access by every `value()`):
//! - `\F\ \S\ \T\ \R\ \E\` become the field, component, subcomponent, repetition and escape
//!   characters of the message; `\P\` becomes the truncation character when MSH-2 declares one.
//! - `\Xhhhh...\` becomes the bytes given in hexadecimal (an even, non-zero number of digits).
//! - `\.br\` (line break) becomes `\n`.
//! - `\H\` and `\N\` (highlighting on/off) are dropped.
//! - Any other sequence (`\Cxxyy\`, `\Mxxyyzz\`, `\Zxx\`, `\.sp\`, malformed hex, ...) is kept
//!   literally, escape characters included, and so is an escape character with no closing one.
//!
//! Bytes become text this way: when the decoded bytes of one value are valid UTF-8 they are
//! read as UTF-8, otherwise every byte is read as ISO-8859-1 (Latin-1), so no byte is ever
//! replaced or lost. MSH-18 (character set) is not consulted.

use std::borrow::Cow;

use memchr::memchr;

use super::encoding::Encoding;

/// Reads bytes as UTF-8 when valid, otherwise as ISO-8859-1 (Latin-1), without copying in the
/// UTF-8 case.
pub fn decode_text(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => Cow::Owned(latin1(bytes)),
    }
}

fn owned_text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|error| latin1(error.as_bytes()))
}

fn latin1(bytes: &[u8]) -> String {
    bytes.iter().copied().map(char::from).collect()
}

/// Decodes the escape sequences in `raw` (see the module documentation) and returns text.
/// Borrows when `raw` holds no escape character and is valid UTF-8.
pub fn unescape<'a>(raw: &'a [u8], encoding: &Encoding) -> Cow<'a, str> {
    let escape = encoding.escape_character();
    if memchr(escape, raw).is_none() {
        return decode_text(raw);
    }
    let mut decoded = Vec::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(escape_at) = memchr(escape, rest) {
        let (plain, sequence_start) = rest.split_at_checked(escape_at).unwrap_or((rest, &[]));
        decoded.extend_from_slice(plain);
        let after_escape = sequence_start.get(1..).unwrap_or_default();
        let Some(content_length) = memchr(escape, after_escape) else {
            // An escape character that is never closed is kept as it is.
            rest = sequence_start;
            break;
        };
        let content = after_escape.get(..content_length).unwrap_or_default();
        if !decode_sequence(content, encoding, &mut decoded) {
            let sequence = sequence_start.get(..content_length + 2);
            decoded.extend_from_slice(sequence.unwrap_or(sequence_start));
        }
        rest = after_escape.get(content_length + 1..).unwrap_or_default();
    }
    decoded.extend_from_slice(rest);
    Cow::Owned(owned_text(decoded))
}

/// Appends the meaning of one escape sequence (the bytes between the two escape characters)
/// to `out`; returns false when the sequence is not one this module decodes.
fn decode_sequence(content: &[u8], encoding: &Encoding, out: &mut Vec<u8>) -> bool {
    let replacement = match content {
        b"F" => Some(encoding.field_separator()),
        b"S" => Some(encoding.component_separator()),
        b"T" => Some(encoding.subcomponent_separator()),
        b"R" => Some(encoding.repetition_separator()),
        b"E" => Some(encoding.escape_character()),
        b"P" => encoding.truncation_character(),
        b".br" => Some(b'\n'),
        b"H" | b"N" => return true,
        [b'X', hex @ ..] => return decode_hex(hex, out),
        _ => None,
    };
    out.extend(replacement);
    replacement.is_some()
}

fn decode_hex(hex: &[u8], out: &mut Vec<u8>) -> bool {
    if hex.is_empty() || !hex.len().is_multiple_of(2) || !hex.iter().all(u8::is_ascii_hexdigit) {
        return false;
    }
    out.extend(hex.chunks_exact(2).map(|pair| {
        pair.iter()
            .fold(0u8, |byte, &digit| (byte << 4) | hex_value(digit))
    }));
    true
}

fn hex_value(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        b'a'..=b'f' => digit - b'a' + 10,
        b'A'..=b'F' => digit - b'A' + 10,
        _ => 0,
    }
}

/// Escapes `value` for writing into a message with `encoding`: each delimiter becomes its
/// escape sequence (`\F\ \S\ \T\ \R\ \E\`, and `\P\` when a truncation character is declared),
/// and carriage return and line feed become `\X0D\` and `\X0A\` so they cannot end a segment.
/// Borrows when nothing needs escaping.
pub fn escape<'v>(value: &'v str, encoding: &Encoding) -> Cow<'v, str> {
    escape_truncated(value, encoding, usize::MAX)
}

/// Escapes `value` like [`escape`] and keeps at most `max_chars` characters of the escaped
/// text, for fields with a maximum length: characters are dropped from the end, an escape
/// sequence is kept whole or not at all. Borrows when nothing needs escaping.
pub fn escape_truncated<'v>(value: &'v str, encoding: &Encoding, max_chars: usize) -> Cow<'v, str> {
    if !value
        .bytes()
        .any(|byte| escape_code(byte, encoding).is_some())
    {
        let kept = match value.char_indices().nth(max_chars) {
            Some((end, _)) => value.get(..end).unwrap_or(value),
            None => value,
        };
        return Cow::Borrowed(kept);
    }
    let escape = char::from(encoding.escape_character());
    let mut escaped = String::with_capacity(value.len() + 8);
    let mut length = 0;
    for character in value.chars() {
        let code = u8::try_from(character)
            .ok()
            .and_then(|byte| escape_code(byte, encoding));
        let width = code.map_or(1, |code| code.len() + 2);
        if length + width > max_chars {
            break;
        }
        length += width;
        match code {
            Some(code) => {
                escaped.push(escape);
                escaped.push_str(code);
                escaped.push(escape);
            }
            None => escaped.push(character),
        }
    }
    Cow::Owned(escaped)
}

fn escape_code(byte: u8, encoding: &Encoding) -> Option<&'static str> {
    match byte {
        b'\r' => Some("X0D"),
        b'\n' => Some("X0A"),
        _ if byte == encoding.field_separator() => Some("F"),
        _ if byte == encoding.component_separator() => Some("S"),
        _ if byte == encoding.subcomponent_separator() => Some("T"),
        _ if byte == encoding.repetition_separator() => Some("R"),
        _ if byte == encoding.escape_character() => Some("E"),
        _ if Some(byte) == encoding.truncation_character() => Some("P"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unescape_standard(raw: &str) -> String {
        unescape(raw.as_bytes(), &Encoding::STANDARD).into_owned()
    }

    #[test]
    fn decodes_every_delimiter_escape() {
        assert_eq!(unescape_standard(r"a\F\b\S\c\T\d\R\e\E\f"), r"a|b^c&d~e\f");
    }

    #[test]
    fn decodes_with_non_standard_delimiters() {
        let encoding = Encoding::from_msh(b'#', b"$%*@").unwrap();
        let decoded = unescape(b"a*F*b*S*c*T*d*R*e*E*f", &encoding);
        assert_eq!(decoded, "a#b$c@d%e*f");
    }

    #[test]
    fn decodes_truncation_only_when_declared() {
        let with_truncation = Encoding::STANDARD.with_truncation(b'#').unwrap();
        assert_eq!(unescape(br"12\P\", &with_truncation), "12#");
        assert_eq!(unescape_standard(r"12\P\"), r"12\P\");
    }

    #[test]
    fn decodes_hex_line_breaks_and_highlighting() {
        assert_eq!(unescape_standard(r"\X41\\X4243\"), "ABC");
        assert_eq!(unescape_standard(r"\XC3A9\"), "é");
        assert_eq!(unescape_standard(r"\Xe9\"), "é", "not UTF-8, so Latin-1");
        assert_eq!(unescape_standard(r"line 1\.br\line 2"), "line 1\nline 2");
        assert_eq!(unescape_standard(r"\H\bold\N\ text"), "bold text");
    }

    #[test]
    fn keeps_unknown_and_malformed_sequences() {
        assert_eq!(unescape_standard(r"\Zfoo\x"), r"\Zfoo\x");
        assert_eq!(unescape_standard(r"\.sp2\"), r"\.sp2\");
        assert_eq!(unescape_standard(r"\X4\"), r"\X4\");
        assert_eq!(unescape_standard(r"\XZZ\"), r"\XZZ\");
        assert_eq!(unescape_standard(r"\X\"), r"\X\");
        assert_eq!(unescape_standard(r"\\"), r"\\");
        assert_eq!(unescape_standard(r"C:\temp"), r"C:\temp");
        assert_eq!(unescape_standard(r"end\"), r"end\");
        assert_eq!(unescape_standard(r"\F\\"), r"|\");
        assert_eq!(unescape_standard(r"\"), r"\");
    }

    #[test]
    fn borrows_when_nothing_to_decode() {
        assert!(matches!(
            unescape(b"plain", &Encoding::STANDARD),
            Cow::Borrowed("plain")
        ));
    }

    #[test]
    fn reads_non_utf8_as_latin1() {
        assert_eq!(decode_text(b"Z\xfcrich"), "Zürich");
        assert_eq!(decode_text("Zürich".as_bytes()), "Zürich");
        assert_eq!(unescape(b"M\xfcller\\S\\", &Encoding::STANDARD), "Müller^");
    }

    #[test]
    fn escapes_every_delimiter_and_line_ends() {
        let escaped = escape("O'Brien|Jr^x&y~z\\w\r\n", &Encoding::STANDARD);
        assert_eq!(escaped, r"O'Brien\F\Jr\S\x\T\y\R\z\E\w\X0D\\X0A\");
        assert!(matches!(
            escape("plain é", &Encoding::STANDARD),
            Cow::Borrowed(_)
        ));
        let with_truncation = Encoding::STANDARD.with_truncation(b'#').unwrap();
        assert_eq!(escape("#1", &with_truncation), r"\P\1");
        assert_eq!(escape("#1", &Encoding::STANDARD), "#1");
    }

    #[test]
    fn truncates_escaped_text_to_whole_characters_and_sequences() {
        let standard = &Encoding::STANDARD;
        assert!(matches!(
            escape_truncated("Zürich", standard, 3),
            Cow::Borrowed("Zür")
        ));
        assert_eq!(escape_truncated("short", standard, 80), "short");
        // `a|b` escapes to `a\F\b`: four characters keep `a\F\`, three keep only `a`.
        assert_eq!(escape_truncated("a|b", standard, 4), r"a\F\");
        assert_eq!(escape_truncated("a|b", standard, 3), "a");
        assert_eq!(escape_truncated("a|b", standard, 5), r"a\F\b");
        assert_eq!(escape_truncated("|", standard, 0), "");
    }

    #[test]
    fn escape_then_unescape_round_trips() {
        let encodings = [
            Encoding::STANDARD,
            Encoding::from_msh(b'#', b"$%*@").unwrap(),
            Encoding::STANDARD.with_truncation(b'#').unwrap(),
        ];
        let value = "a|b^c~d\\e&f#g$h%i*j@k\rl\nm é";
        for encoding in &encodings {
            let escaped = escape(value, encoding);
            assert_eq!(unescape(escaped.as_bytes(), encoding), value);
        }
    }
}
