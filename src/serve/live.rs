//! Live reload: the script injected into served pages, and the event stream
//! it listens to.
//!
//! Each browser tab holds one Server-Sent Events connection on
//! `/__artsite/events`. Every connection gets its own thread and channel: a
//! broadcast only puts a message on each channel, so a slow or vanished
//! client never holds up the others or the rebuild. A client is dropped when
//! a write to it fails; a comment line every 15 s finds dead ones.
//!
//! The stream is written on the raw connection, flushed after every event.

use std::io::Write;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// The script the server injects into every page it serves.
pub(crate) const SCRIPT: &str = include_str!("live.js");

/// Where the script is served.
pub(crate) const SCRIPT_PATH: &str = "/__artsite/live.js";

/// Where the event stream is served.
pub(crate) const EVENTS_PATH: &str = "/__artsite/events";

/// How often an idle stream gets a comment line.
pub(crate) const HEARTBEAT: Duration = Duration::from_secs(15);

/// One event, ready to write.
pub(crate) fn event(name: &str, data: &serde_json::Value) -> Arc<str> {
    Arc::from(format!("event: {name}\ndata: {data}\n\n"))
}

/// `html` with the live-reload script before its last `</body>` (or at the end).
pub(crate) fn inject(html: &[u8], build: u64, instance: &str) -> Vec<u8> {
    let tag = format!("<script src=\"{SCRIPT_PATH}\" data-build=\"{build}\" data-instance=\"{instance}\"></script>\n");
    let at = html.windows(7).rposition(|w| w.eq_ignore_ascii_case(b"</body>")).unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

/// The open event streams.
#[derive(Default)]
pub(crate) struct Hub {
    clients: Mutex<Vec<Sender<Arc<str>>>>,
}

impl Hub {
    /// A new client's channel.
    pub(crate) fn subscribe(&self) -> Receiver<Arc<str>> {
        let (tx, rx) = mpsc::channel();
        self.lock().push(tx);
        rx
    }

    /// Sends `message` to every client; forgets those that are gone.
    pub(crate) fn broadcast(&self, message: Arc<str>) {
        self.lock().retain(|tx| tx.send(message.clone()).is_ok());
    }

    /// Number of connected clients.
    #[cfg(test)]
    pub(crate) fn clients(&self) -> usize {
        self.lock().len()
    }

    /// Ends every stream.
    pub(crate) fn close(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Sender<Arc<str>>>> {
        self.clients.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Streams events to one client until it goes away or the hub closes.
/// `first` is written right after the response header.
pub(crate) fn stream(mut out: Box<dyn Write + Send>, rx: Receiver<Arc<str>>, first: Vec<Arc<str>>) {
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-store\r\n\
                X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\nretry: 1000\n\n";
    let mut send = |text: &str| out.write_all(text.as_bytes()).and_then(|_| out.flush()).is_ok();
    if !send(head) {
        return;
    }
    for message in first {
        if !send(&message) {
            return;
        }
    }
    loop {
        match rx.recv_timeout(HEARTBEAT) {
            Ok(message) => {
                if !send(&message) {
                    return;
                }
            }
            Err(RecvTimeoutError::Timeout) => {
                if !send(": ping\n\n") {
                    return;
                }
            }
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_goes_before_the_last_body_end() {
        let page = b"<html><body><p>x</p></BODY></html>";
        let out = String::from_utf8(inject(page, 3, "ab")).unwrap();
        assert!(
            out.contains(
                "<p>x</p><script src=\"/__artsite/live.js\" data-build=\"3\" data-instance=\"ab\"></script>\n</BODY>"
            ),
            "{out}"
        );
        assert!(String::from_utf8(inject(b"<p>no body", 1, "i")).unwrap().ends_with("</script>\n"));
    }

    #[test]
    fn a_gone_client_is_forgotten() {
        let hub = Hub::default();
        let rx = hub.subscribe();
        let _kept = hub.subscribe();
        drop(rx);
        hub.broadcast(event("reload", &serde_json::json!({"all": true})));
        assert_eq!(hub.clients(), 1);
    }
}
