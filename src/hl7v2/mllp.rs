//! MLLP framing (Minimal Lower Layer Protocol): each message is sent as
//! `0x0B <message> 0x1C 0x0D`.
//!
//! [`MllpCodec`] is a `tokio_util` codec. Decoding rules:
//! - Bytes outside a frame (before a start block) are dropped and counted; read the running
//!   total with [`MllpCodec::bytes_outside_frames`] to log it.
//! - A frame ends at the first `0x1C 0x0D`. A `0x1C` followed by any other byte is message data,
//!   and so is a `0x0B` inside a frame: the end block must be the exact two-byte sequence.
//! - A frame longer than the maximum (default 1 MiB) is not an error that ends the stream: its
//!   bytes are discarded up to its end block and the decoder yields
//!   [`MllpFrame::Oversized`], which keeps the first bytes of the frame so the caller can read
//!   MSH-10 (see [`super::ack::salvage_header`]) and reply with a NAK on the same connection.
//!   Later frames decode normally. The buffer never holds much more than the maximum.
//! - If the stream ends inside a frame (including after a `0x1C` with no `0x0D`), decoding fails
//!   with [`MllpError::IncompleteFrame`].
//!
//! Encoding writes the three framing bytes around the message and refuses a message that
//! contains `0x1C 0x0D`, which would end its frame early.

use bytes::{Buf, BufMut, Bytes, BytesMut};
use memchr::memchr;
use tokio_util::codec::{Decoder, Encoder};

/// The byte that starts a frame (vertical tab).
pub const START_BLOCK: u8 = 0x0B;
/// The first byte of the end block (file separator).
pub const END_BLOCK: u8 = 0x1C;
/// The second byte of the end block (carriage return).
pub const END_BLOCK_CARRIAGE_RETURN: u8 = 0x0D;
/// The default maximum length of a message inside a frame: 1 MiB.
pub const DEFAULT_MAX_FRAME_LENGTH: usize = 1024 * 1024;
/// How many leading bytes of an oversized frame are kept.
pub const OVERSIZED_HEAD_LENGTH: usize = 1024;

/// What the decoder yields for each frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MllpFrame {
    /// A complete message, framing bytes removed.
    Message(Bytes),
    /// A frame longer than the maximum, discarded; reply with a NAK and keep reading.
    Oversized(OversizedFrame),
}

/// A frame that exceeded the maximum length and was discarded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("frame exceeds {limit} bytes ({length} bytes discarded)")]
pub struct OversizedFrame {
    /// The maximum frame length in force.
    pub limit: usize,
    /// The length of the discarded message, framing bytes excluded.
    pub length: usize,
    /// Its first bytes (at most [`OVERSIZED_HEAD_LENGTH`]), usually enough to read MSH.
    pub head: Bytes,
}

/// Errors of the MLLP codec.
#[derive(Debug, thiserror::Error)]
pub enum MllpError {
    /// The underlying stream failed.
    #[error("MLLP I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The stream ended inside a frame.
    #[error("stream ended inside an MLLP frame after {length} bytes of message")]
    IncompleteFrame {
        /// How many message bytes the unfinished frame held.
        length: usize,
    },
    /// A message to send contains the end block `0x1C 0x0D`.
    #[error("message contains the MLLP end block (0x1C 0x0D) and cannot be framed")]
    EndBlockInMessage,
}

/// A `tokio_util` codec for MLLP frames. See the module documentation for the rules.
#[derive(Clone, Debug)]
pub struct MllpCodec {
    max_frame_length: usize,
    state: DecodeState,
    bytes_outside_frames: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum DecodeState {
    /// Looking for a start block.
    BetweenFrames,
    /// The buffer starts with message bytes; none before `scanned` starts an end block.
    InFrame { scanned: usize },
    /// Dropping the rest of an oversized frame, `length` bytes so far, keeping its `head`.
    Discarding { length: usize, head: BytesMut },
}

/// Where the end block is in a buffer of message bytes.
enum EndBlockSearch {
    /// The message ends at this offset; the end block follows.
    Found(usize),
    /// Not found; bytes before this offset cannot start an end block (the byte at it, if any,
    /// is a `0x1C` waiting for the next byte).
    NotYet(usize),
}

fn find_end_block(bytes: &[u8], from: usize) -> EndBlockSearch {
    let mut position = from;
    while let Some(offset) = bytes
        .get(position..)
        .and_then(|rest| memchr(END_BLOCK, rest))
    {
        let candidate = position + offset;
        match bytes.get(candidate + 1) {
            Some(&END_BLOCK_CARRIAGE_RETURN) => return EndBlockSearch::Found(candidate),
            Some(_) => position = candidate + 1,
            None => return EndBlockSearch::NotYet(candidate),
        }
    }
    EndBlockSearch::NotYet(bytes.len())
}

impl MllpCodec {
    /// A codec with the default maximum frame length (1 MiB).
    pub fn new() -> Self {
        MllpCodec::with_max_frame_length(DEFAULT_MAX_FRAME_LENGTH)
    }

    /// A codec that discards messages longer than `max_frame_length` bytes.
    pub fn with_max_frame_length(max_frame_length: usize) -> Self {
        MllpCodec {
            max_frame_length,
            state: DecodeState::BetweenFrames,
            bytes_outside_frames: 0,
        }
    }

    /// The maximum message length.
    pub fn max_frame_length(&self) -> usize {
        self.max_frame_length
    }

    /// How many bytes arrived outside any frame so far (and were dropped).
    pub fn bytes_outside_frames(&self) -> u64 {
        self.bytes_outside_frames
    }

    fn count_outside(&mut self, bytes: usize) {
        let bytes = u64::try_from(bytes).unwrap_or(u64::MAX);
        self.bytes_outside_frames = self.bytes_outside_frames.saturating_add(bytes);
    }

    fn oversized(&self, length: usize, head: Bytes) -> MllpFrame {
        MllpFrame::Oversized(OversizedFrame {
            limit: self.max_frame_length,
            length,
            head,
        })
    }
}

impl Default for MllpCodec {
    fn default() -> Self {
        MllpCodec::new()
    }
}

impl Decoder for MllpCodec {
    type Item = MllpFrame;
    type Error = MllpError;

    fn decode(&mut self, buffer: &mut BytesMut) -> Result<Option<MllpFrame>, MllpError> {
        loop {
            match std::mem::replace(&mut self.state, DecodeState::BetweenFrames) {
                DecodeState::BetweenFrames => {
                    let Some(start) = memchr(START_BLOCK, buffer) else {
                        self.count_outside(buffer.len());
                        buffer.clear();
                        return Ok(None);
                    };
                    self.count_outside(start);
                    buffer.advance(start + 1);
                    self.state = DecodeState::InFrame { scanned: 0 };
                }
                DecodeState::InFrame { scanned } => match find_end_block(buffer, scanned) {
                    EndBlockSearch::Found(length) => {
                        let message = buffer.split_to(length).freeze();
                        buffer.advance(2);
                        if length > self.max_frame_length {
                            let head = message.slice(..length.min(OVERSIZED_HEAD_LENGTH));
                            return Ok(Some(self.oversized(length, head)));
                        }
                        return Ok(Some(MllpFrame::Message(message)));
                    }
                    EndBlockSearch::NotYet(scanned) if scanned > self.max_frame_length => {
                        let head = buffer.split_to(OVERSIZED_HEAD_LENGTH.min(scanned));
                        self.state = DecodeState::Discarding {
                            length: head.len(),
                            head,
                        };
                    }
                    EndBlockSearch::NotYet(scanned) => {
                        self.state = DecodeState::InFrame { scanned };
                        return Ok(None);
                    }
                },
                DecodeState::Discarding { length, mut head } => {
                    let (dropped, complete) = match find_end_block(buffer, 0) {
                        EndBlockSearch::Found(rest) => (rest, true),
                        EndBlockSearch::NotYet(dropped) => (dropped, false),
                    };
                    let room = OVERSIZED_HEAD_LENGTH.saturating_sub(head.len());
                    head.extend_from_slice(buffer.get(..dropped.min(room)).unwrap_or_default());
                    buffer.advance(dropped);
                    let length = length + dropped;
                    if complete {
                        buffer.advance(2);
                        return Ok(Some(self.oversized(length, head.freeze())));
                    }
                    self.state = DecodeState::Discarding { length, head };
                    return Ok(None);
                }
            }
        }
    }

    fn decode_eof(&mut self, buffer: &mut BytesMut) -> Result<Option<MllpFrame>, MllpError> {
        if let Some(frame) = self.decode(buffer)? {
            return Ok(Some(frame));
        }
        let length = match std::mem::replace(&mut self.state, DecodeState::BetweenFrames) {
            DecodeState::BetweenFrames => return Ok(None),
            DecodeState::InFrame { .. } => buffer.len(),
            DecodeState::Discarding { length, .. } => length + buffer.len(),
        };
        buffer.clear();
        Err(MllpError::IncompleteFrame { length })
    }
}

impl<T: AsRef<[u8]>> Encoder<T> for MllpCodec {
    type Error = MllpError;

    /// Frames `message`; works for `&[u8]`, `Bytes`, `Vec<u8>` and the like.
    fn encode(&mut self, message: T, buffer: &mut BytesMut) -> Result<(), MllpError> {
        let message = message.as_ref();
        if let EndBlockSearch::Found(_) = find_end_block(message, 0) {
            return Err(MllpError::EndBlockInMessage);
        }
        buffer.reserve(message.len() + 3);
        buffer.put_u8(START_BLOCK);
        buffer.put_slice(message);
        buffer.put_slice(&[END_BLOCK, END_BLOCK_CARRIAGE_RETURN]);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;
    use std::future::poll_fn;
    use std::io;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use futures::Stream;
    use tokio::io::{AsyncRead, ReadBuf};
    use tokio_util::codec::FramedRead;

    /// A reader that hands out the given chunks one read at a time (empty ones skipped, as an
    /// empty read means the end of the stream).
    struct ChunkedReader {
        chunks: VecDeque<Vec<u8>>,
    }

    impl AsyncRead for ChunkedReader {
        fn poll_read(
            mut self: Pin<&mut Self>,
            _context: &mut Context<'_>,
            buffer: &mut ReadBuf<'_>,
        ) -> Poll<io::Result<()>> {
            self.chunks.retain(|chunk| !chunk.is_empty());
            if let Some(mut chunk) = self.chunks.pop_front() {
                let length = chunk.len().min(buffer.remaining());
                buffer.put_slice(&chunk[..length]);
                if length < chunk.len() {
                    self.chunks.push_front(chunk.split_off(length));
                }
            }
            Poll::Ready(Ok(()))
        }
    }

    type Decoded = (Vec<Result<MllpFrame, String>>, u64);

    /// Every item `FramedRead` yields for `chunks`, and the outside-frame byte count.
    async fn read_frames(chunks: Vec<Vec<u8>>, codec: MllpCodec) -> Decoded {
        let reader = ChunkedReader {
            chunks: chunks.into(),
        };
        let mut framed = FramedRead::new(reader, codec);
        let mut items = Vec::new();
        while let Some(item) = poll_fn(|context| Pin::new(&mut framed).poll_next(context)).await {
            items.push(item.map_err(|error| error.to_string()));
        }
        (items, framed.decoder().bytes_outside_frames())
    }

    fn read_frames_blocking(chunks: Vec<Vec<u8>>, codec: MllpCodec) -> Decoded {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(read_frames(chunks, codec))
    }

    /// Splits `input` in two at every position and checks each gives `expected`.
    fn assert_every_split(input: &[u8], codec: &MllpCodec, expected: &Decoded) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        for split in 0..=input.len() {
            let chunks = vec![input[..split].to_vec(), input[split..].to_vec()];
            let decoded = runtime.block_on(read_frames(chunks, codec.clone()));
            assert_eq!(&decoded, expected, "split at {split}");
        }
        let bytes = input.iter().map(|&byte| vec![byte]).collect();
        assert_eq!(
            &read_frames_blocking(bytes, codec.clone()),
            expected,
            "byte by byte"
        );
    }

    fn frame(message: &[u8]) -> Vec<u8> {
        [
            &[START_BLOCK][..],
            message,
            &[END_BLOCK, END_BLOCK_CARRIAGE_RETURN],
        ]
        .concat()
    }

    fn message(bytes: &[u8]) -> Result<MllpFrame, String> {
        Ok(MllpFrame::Message(Bytes::copy_from_slice(bytes)))
    }

    #[test]
    fn decodes_frames_split_at_every_position() {
        let first = b"MSH|^~\\&|A\rPID|1\r";
        let second = b"MSH|^~\\&|B\rNTE|1||odd \x1C byte and \x0B too\r";
        let input = [
            &b"\r\nnoise"[..],
            &frame(first),
            b"\r\n",
            &frame(second),
            &frame(b""),
            b"tail",
        ]
        .concat();
        let expected = (vec![message(first), message(second), message(b"")], 13);
        assert_every_split(&input, &MllpCodec::new(), &expected);
    }

    #[test]
    fn oversized_frame_is_reported_and_stream_stays_in_sync() {
        let codec = MllpCodec::with_max_frame_length(8);
        let big = b"MSH|^~\\&|A|B|C|D|||ADT^A01|CTRL9|P|2.5";
        let input = [
            &frame(b"short")[..],
            &frame(big),
            &frame(b"12345678"),
            &frame(b"123456789"),
            &frame(b"after"),
        ]
        .concat();
        let oversized = |bytes: &[u8]| {
            Ok(MllpFrame::Oversized(OversizedFrame {
                limit: 8,
                length: bytes.len(),
                head: Bytes::copy_from_slice(bytes),
            }))
        };
        let expected = (
            vec![
                message(b"short"),
                oversized(big),
                message(b"12345678"),
                oversized(b"123456789"),
                message(b"after"),
            ],
            0,
        );
        assert_every_split(&input, &codec, &expected);
        let Ok(MllpFrame::Oversized(reported)) = &expected.0[1] else {
            unreachable!()
        };
        assert_eq!(
            reported.to_string(),
            "frame exceeds 8 bytes (38 bytes discarded)"
        );
    }

    #[test]
    fn oversized_frame_keeps_only_its_head() {
        let mut codec = MllpCodec::with_max_frame_length(2000);
        let big = vec![b'x'; 5000];
        let mut buffer = BytesMut::new();
        let mut items = Vec::new();
        for chunk in frame(&big).chunks(700) {
            buffer.extend_from_slice(chunk);
            while let Some(item) = codec.decode(&mut buffer).unwrap() {
                items.push(item);
            }
            assert!(buffer.len() <= 2000 + 700, "buffer stays bounded");
        }
        assert_eq!(
            items,
            [MllpFrame::Oversized(OversizedFrame {
                limit: 2000,
                length: 5000,
                head: Bytes::from(vec![b'x'; OVERSIZED_HEAD_LENGTH]),
            })]
        );
    }

    #[test]
    fn stream_ending_inside_a_frame_is_an_error() {
        let incomplete = [&frame(b"ok")[..], &[START_BLOCK], b"MSH|partial"].concat();
        let expected = (
            vec![
                message(b"ok"),
                Err("stream ended inside an MLLP frame after 11 bytes of message".into()),
            ],
            0,
        );
        assert_every_split(&incomplete, &MllpCodec::new(), &expected);

        let no_carriage_return = [&[START_BLOCK][..], b"MSH", &[END_BLOCK]].concat();
        let (items, _) = read_frames_blocking(vec![no_carriage_return], MllpCodec::new());
        assert_eq!(
            items,
            [Err(
                "stream ended inside an MLLP frame after 4 bytes of message".into()
            )]
        );

        let codec = MllpCodec::with_max_frame_length(2);
        let oversized_unfinished = [&[START_BLOCK][..], b"12345"].concat();
        let (items, _) = read_frames_blocking(vec![oversized_unfinished], codec);
        assert_eq!(
            items,
            [Err(
                "stream ended inside an MLLP frame after 5 bytes of message".into()
            )]
        );
    }

    #[test]
    fn counts_bytes_outside_frames() {
        let (items, outside) = read_frames_blocking(vec![b"junk only".to_vec()], MllpCodec::new());
        assert!(items.is_empty());
        assert_eq!(outside, 9);
        let codec = MllpCodec::default();
        assert_eq!(codec.max_frame_length(), DEFAULT_MAX_FRAME_LENGTH);
        assert_eq!(codec.bytes_outside_frames(), 0);
    }

    #[test]
    fn encodes_slices_and_bytes() {
        let mut codec = MllpCodec::new();
        let mut buffer = BytesMut::new();
        codec.encode(&b"MSH|^~\\&\r"[..], &mut buffer).unwrap();
        codec
            .encode(Bytes::from_static(b"two"), &mut buffer)
            .unwrap();
        codec
            .encode(b"with \x1C alone".to_vec(), &mut buffer)
            .unwrap();
        let expected = [
            frame(b"MSH|^~\\&\r"),
            frame(b"two"),
            frame(b"with \x1C alone"),
        ]
        .concat();
        assert_eq!(&buffer[..], &expected[..]);
        let mut decoded = Vec::new();
        while let Some(item) = codec.decode(&mut buffer).unwrap() {
            decoded.push(item);
        }
        assert_eq!(decoded.len(), 3);
        let refused = codec.encode(&b"bad \x1C\r end"[..], &mut BytesMut::new());
        assert!(matches!(refused, Err(MllpError::EndBlockInMessage)));
    }
}
