//! Fuzzes the reply decoders with arbitrary bytes: every reply shape, watch
//! events, the handshake answer, and a frame splitter as the IO thread uses
//! it. Nothing may panic, loop or allocate beyond the input's size.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zookeeper_mt::proto::codec::Reader;
use zookeeper_mt::proto::records::{decode_connect, decode_event, decode_reply, Expect};

const SHAPES: [Expect; 9] = [
    Expect::Void,
    Expect::Stat,
    Expect::Data,
    Expect::Children,
    Expect::Children2,
    Expect::Path,
    Expect::Path2,
    Expect::Acl,
    Expect::Multi,
];

fuzz_target!(|data: &[u8]| {
    let _ = decode_connect(data);
    // Split into length-prefixed frames, then decode each frame's header and body.
    let mut off = 0;
    while data.len() - off >= 4 {
        let len = i32::from_be_bytes(data[off..off + 4].try_into().unwrap());
        if len < 0 || (len as usize) > data.len() - off - 4 {
            break;
        }
        let frame = &data[off + 4..off + 4 + len as usize];
        off += 4 + len as usize;
        let mut r = Reader::new(frame);
        if r.int().is_err() || r.long().is_err() || r.int().is_err() {
            continue;
        }
        let rest = &frame[16.min(frame.len())..];
        let _ = decode_event(&mut Reader::new(rest));
        for shape in SHAPES {
            let _ = decode_reply(shape, &mut Reader::new(rest));
        }
    }
});
