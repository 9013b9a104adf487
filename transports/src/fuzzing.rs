//! Entry points for the fuzz targets in `tests/fuzz/`, built only with the
//! `fuzzing` feature: the parts of the transports that read what a peer
//! sends, with no socket in between.

/// Reads `data` as a stream connection does — the framing told from its
/// first bytes, then every frame cut out — delivered in pieces whose sizes
/// come from the data itself, so that every split point gets tried.
#[cfg(feature = "stream")]
pub fn stream_frames(data: &[u8]) {
    use crate::stream::frames::{Detected, Frames, Framing};
    let Some((&split, data)) = data.split_first() else {
        return;
    };
    let piece = usize::from(split % 64) + 1;
    let mut frames = Frames::new(4096);
    let mut framing = None;
    for chunk in data.chunks(piece) {
        frames.extend(chunk);
        if framing.is_none() {
            match frames.detect() {
                Detected::Framing(Framing::Http) | Detected::Unknown => return,
                Detected::Framing(found) => framing = Some(found),
                Detected::NeedMore => continue,
            }
        }
        let Some(framing) = framing else { continue };
        loop {
            match frames.next(framing) {
                Ok(Some(frame)) => assert!(frame.body.len() <= 4096, "a frame over the limit"),
                Ok(None) => break,
                Err(_) => return,
            }
        }
    }
}

/// Feeds a shared-memory server's ring reader hostile indices, lengths and
/// bytes (Linux).
#[cfg(all(feature = "shm", target_os = "linux"))]
pub fn shm_ring(data: &[u8]) {
    crate::shm::ring::read_hostile(data);
}
