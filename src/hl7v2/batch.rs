//! Files that hold several HL7 v2 messages (one after another, or wrapped in FHS/BHS batch
//! segments): split into messages with `\r` segment separators.

/// Splits `content` into messages: each starts at an `MSH` segment; line breaks (`\n`, `\r\n`,
/// `\r`) become `\r`; FHS, BHS, BTS and FTS batch segments and blank lines are dropped.
pub fn split_messages(content: &[u8]) -> Vec<Vec<u8>> {
    let content = content.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(content);
    let mut messages: Vec<Vec<u8>> = Vec::new();
    for line in content.split(|b| *b == b'\r' || *b == b'\n') {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let id = line.get(..3).unwrap_or(line);
        if matches!(id, b"FHS" | b"BHS" | b"BTS" | b"FTS") {
            continue;
        }
        if id == b"MSH" || messages.is_empty() {
            messages.push(Vec::new());
        }
        if let Some(message) = messages.last_mut() {
            message.extend_from_slice(line);
            message.push(b'\r');
        }
    }
    messages
}

#[cfg(test)]
mod tests {
    use super::split_messages;

    #[test]
    fn batches_and_line_endings() {
        let file =
            b"FHS|^~\\&\r\nBHS|^~\\&\nMSH|^~\\&|A\nPID|1\n\nMSH|^~\\&|B\r\nPID|2\rBTS|2\nFTS|1\n";
        let messages = split_messages(file);
        assert_eq!(messages.len(), 2);
        assert_eq!(messages[0], b"MSH|^~\\&|A\rPID|1\r");
        assert_eq!(messages[1], b"MSH|^~\\&|B\rPID|2\r");
        assert!(split_messages(b"\n\n").is_empty());
    }
}
