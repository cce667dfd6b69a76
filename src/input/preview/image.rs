//! Image previews: the format and pixel size, read from the file's header
//! without decoding it, and a check that the file is not cut short.
//!
//! PNG, GIF and WebP keep their size at a fixed place; JPEG in its frame
//! header, found by walking the segments; SVG in the root element's `width`
//! and `height` (or `viewBox`). Every image is shown through `<img>`, an SVG
//! too: never inlined, so its scripts cannot run.

use super::io::unreadable;
use super::kinds::{Body, Image, Preview, Warning};
use super::sniff::{self, Kind};
use crate::input::source::Location;
use std::io::{BufReader, Read};

/// Bytes read from the start of a raster image.
const HEAD_BYTES: u64 = 64;
/// Bytes searched for an SVG's root element.
const SVG_BYTES: u64 = 256 * 1024;

/// Previews an image file of `size` bytes named with extension `ext`.
pub(crate) fn preview(path: &Location, size: u64, ext: &str) -> Preview {
    let result = if ext == "svg" { svg(path, size) } else { raster(path, size, ext) };
    match result {
        Ok((image, warnings)) => Preview { body: Body::Image(image), notes: Vec::new(), warnings },
        Err(w) => Preview::new(Body::File { detected: "unknown" }).warn(w),
    }
}

fn malformed(message: impl Into<String>) -> Warning {
    Warning::new("image-malformed", message)
}

fn truncated(format: &str, missing: &str) -> Warning {
    Warning::new("image-truncated", format!("the {format} file has no {missing} at its end: it is probably truncated"))
}

type Read2 = Result<(Image, Vec<Warning>), Warning>;

fn raster(path: &Location, size: u64, ext: &str) -> Read2 {
    let head = path.read_head(HEAD_BYTES).map_err(|e| unreadable(&e))?;
    let kind = sniff::sniff(&head);
    let mut warnings = Vec::new();
    let named = match ext {
        "png" => Kind::Png,
        "gif" => Kind::Gif,
        "webp" => Kind::Webp,
        _ => Kind::Jpeg,
    };
    if kind != named && matches!(kind, Kind::Png | Kind::Jpeg | Kind::Gif | Kind::Webp) {
        warnings.push(Warning::new(
            "image-mismatch",
            format!("named .{ext} but the file is a {}; browsers show it anyway", kind.label()),
        ));
    }
    let tail = path.read_tail(size, 16).map_err(|e| unreadable(&e))?;
    let (format, dims) = match kind {
        Kind::Png => ("PNG", png(&head, &tail, &mut warnings)),
        Kind::Gif => ("GIF", gif(&head, &tail, &mut warnings)),
        Kind::Webp => ("WebP", webp(&head, size, &mut warnings)),
        Kind::Jpeg => ("JPEG", jpeg(path, &tail, &mut warnings)),
        other => {
            return Err(malformed(format!(
                "named .{ext} but is not an image (its first bytes look like {})",
                other.label()
            )));
        }
    };
    let (width, height) = match dims {
        Ok((w, h)) => (Some(w), Some(h)),
        Err(message) => {
            warnings.push(malformed(message));
            (None, None)
        }
    };
    Ok((Image { format, width, height }, warnings))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn le16(b: &[u8], at: usize) -> Option<u32> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?) as u32)
}

fn le24(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at + 3)?;
    Some(s[0] as u32 | (s[1] as u32) << 8 | (s[2] as u32) << 16)
}

type Dims = Result<(u32, u32), String>;

fn png(head: &[u8], tail: &[u8], warnings: &mut Vec<Warning>) -> Dims {
    if !tail.ends_with(b"IEND\xae\x42\x60\x82") {
        warnings.push(truncated("PNG", "IEND chunk"));
    }
    if head.get(12..16) != Some(b"IHDR") {
        return Err("the PNG file has no IHDR header chunk".into());
    }
    match (be32(head, 16), be32(head, 20)) {
        (Some(w), Some(h)) if w > 0 && h > 0 => Ok((w, h)),
        (Some(_), Some(_)) => Err("the PNG header gives a zero width or height".into()),
        _ => Err("the PNG file ends inside its header".into()),
    }
}

fn gif(head: &[u8], tail: &[u8], warnings: &mut Vec<Warning>) -> Dims {
    if tail.last() != Some(&0x3b) {
        warnings.push(truncated("GIF", "trailer byte"));
    }
    le16(head, 6).zip(le16(head, 8)).ok_or_else(|| "the GIF file ends inside its header".into())
}

fn webp(head: &[u8], size: u64, warnings: &mut Vec<Warning>) -> Dims {
    if let Some(riff) = head.get(4..8).map(|b| u32::from_le_bytes(b.try_into().unwrap_or_default()))
        && size < riff as u64 + 8
    {
        warnings.push(Warning::new(
            "image-truncated",
            format!("the WebP header says {} bytes but the file has {size}: it is truncated", riff as u64 + 8),
        ));
    }
    let cut = || "the WebP file ends inside its header".to_string();
    match head.get(12..16) {
        Some(b"VP8 ") => {
            if head.get(23..26) != Some(&[0x9d, 0x01, 0x2a]) {
                return Err("the WebP VP8 frame has no start code".into());
            }
            Ok((le16(head, 26).ok_or_else(cut)? & 0x3fff, le16(head, 28).ok_or_else(cut)? & 0x3fff))
        }
        Some(b"VP8L") => {
            let bits = head.get(21..25).ok_or_else(cut)?;
            let bits = u32::from_le_bytes(bits.try_into().unwrap_or_default());
            Ok(((bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1))
        }
        Some(b"VP8X") => Ok((le24(head, 24).ok_or_else(cut)? + 1, le24(head, 27).ok_or_else(cut)? + 1)),
        Some(other) => Err(format!("unknown WebP chunk {:?}", String::from_utf8_lossy(other))),
        None => Err(cut()),
    }
}

/// Walks JPEG segments up to the frame header, seeking over the others.
fn jpeg(path: &Location, tail: &[u8], warnings: &mut Vec<Warning>) -> Dims {
    if !tail.ends_with(&[0xff, 0xd9]) {
        warnings.push(truncated("JPEG", "end-of-image marker"));
    }
    let file = path.open().map_err(|e| format!("cannot read the file: {e}"))?;
    let mut r = BufReader::with_capacity(4096, file);
    let cut = |_| "the JPEG file ends before its frame header".to_string();
    let mut byte = [0u8; 1];
    let mut two = [0u8; 2];
    r.read_exact(&mut two).map_err(cut)?;
    for _ in 0..1000 {
        r.read_exact(&mut byte).map_err(cut)?;
        if byte[0] != 0xff {
            return Err("the JPEG file has data where a segment marker should be".into());
        }
        let mut marker = 0xff;
        while marker == 0xff {
            r.read_exact(&mut byte).map_err(cut)?;
            marker = byte[0];
        }
        match marker {
            0xd8 | 0x01 | 0xd0..=0xd7 => continue,
            0xd9 | 0xda => return Err("the JPEG file has no frame header before its image data".into()),
            _ => {}
        }
        r.read_exact(&mut two).map_err(cut)?;
        let len = u16::from_be_bytes(two) as i64;
        if matches!(marker, 0xc0..=0xcf) && !matches!(marker, 0xc4 | 0xc8 | 0xcc) {
            let mut sof = [0u8; 5];
            r.read_exact(&mut sof).map_err(cut)?;
            let h = u16::from_be_bytes([sof[1], sof[2]]) as u32;
            let w = u16::from_be_bytes([sof[3], sof[4]]) as u32;
            return Ok((w, h));
        }
        r.seek_relative(len - 2).map_err(|e| format!("cannot read the file: {e}"))?;
    }
    Err("the JPEG file has too many segments before its frame header".into())
}

fn svg(path: &Location, size: u64) -> Read2 {
    let head = path.read_head(SVG_BYTES).map_err(|e| unreadable(&e))?;
    let text = String::from_utf8_lossy(&head);
    let Some(start) = text.find("<svg") else {
        return Err(Warning::new("svg-malformed", "no <svg> element in the file's first 256 KiB"));
    };
    let tag = &text[start..];
    let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
    let mut warnings = Vec::new();
    let tail = path.read_tail(size, 1024).map_err(|e| unreadable(&e))?;
    if !String::from_utf8_lossy(&tail).contains("</svg") && !tag.ends_with('/') {
        warnings.push(truncated("SVG", "closing </svg> tag"));
    }
    let view: Option<Vec<f64>> =
        attr(tag, "viewBox").map(|v| v.split([' ', ',']).filter_map(|n| n.trim().parse().ok()).collect());
    let from_view = |i: usize| view.as_ref().filter(|v| v.len() == 4).map(|v| v[i].round() as u32);
    let width = attr(tag, "width").and_then(length).or_else(|| from_view(2));
    let height = attr(tag, "height").and_then(length).or_else(|| from_view(3));
    Ok((Image { format: "SVG", width, height }, warnings))
}

/// The value of attribute `name` in a start tag's text.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let mut from = 0;
    while let Some(found) = tag[from..].find(name) {
        let at = from + found;
        from = at + name.len();
        if !tag[..at].ends_with(char::is_whitespace) {
            continue;
        }
        let rest = tag[from..].trim_start().strip_prefix('=')?.trim_start();
        let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let body = &rest[1..];
        return body.find(quote).map(|end| &body[..end]);
    }
    None
}

/// A length in pixels: a number, maybe followed by `px`.
fn length(v: &str) -> Option<u32> {
    let n: f64 = v.trim().trim_end_matches("px").parse().ok()?;
    (n > 0.0 && n < 1e6).then(|| n.round() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_bytes(w: u32, h: u32) -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        b.extend(w.to_be_bytes());
        b.extend(h.to_be_bytes());
        b.extend(b"\x08\x02\0\0\0crc!\0\0\0\0IEND\xae\x42\x60\x82");
        b
    }

    fn run(name: &str, bytes: &[u8]) -> Preview {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        preview(&Location::disk(&p), bytes.len() as u64, crate::input::infer::extension(name).as_str())
    }

    fn dims(p: &Preview) -> (Option<u32>, Option<u32>) {
        match &p.body {
            Body::Image(i) => (i.width, i.height),
            other => panic!("not an image: {other:?}"),
        }
    }

    #[test]
    fn png_size_and_truncation() {
        let ok = run("a.png", &png_bytes(320, 200));
        assert_eq!(dims(&ok), (Some(320), Some(200)));
        assert!(ok.warnings.is_empty(), "{:?}", ok.warnings);
        let bytes = png_bytes(320, 200);
        let cut = run("a.png", &bytes[..30]);
        assert_eq!(dims(&cut), (Some(320), Some(200)));
        assert_eq!(cut.warnings[0].code, "image-truncated");
        let stub = run("a.png", b"\x89PNG\r\n\x1a\n");
        assert_eq!(dims(&stub), (None, None));
        assert!(stub.warnings.iter().any(|w| w.code == "image-malformed"));
    }

    #[test]
    fn gif_and_webp_sizes() {
        let gif = run("a.gif", b"GIF89a\x40\x01\xc8\x00\x00\x00\x00;");
        assert_eq!(dims(&gif), (Some(320), Some(200)));
        assert!(gif.warnings.is_empty());
        let mut vp8x = b"RIFF\x16\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0".to_vec();
        vp8x.extend([0x3f, 0x01, 0x00, 0xc7, 0x00, 0x00]);
        assert_eq!(vp8x.len(), 30);
        let webp = run("a.webp", &vp8x);
        assert_eq!(dims(&webp), (Some(320), Some(200)));
        assert!(webp.warnings.is_empty(), "{:?}", webp.warnings);
        let mut vp8l = b"RIFF\x40\0\0\0WEBPVP8L\x0a\0\0\0\x2f".to_vec();
        vp8l.extend((319u32 | (199 << 14)).to_le_bytes());
        let webp = run("a.webp", &vp8l);
        assert_eq!(dims(&webp), (Some(320), Some(200)));
        assert_eq!(webp.warnings[0].code, "image-truncated");
    }

    #[test]
    fn jpeg_frame_header_after_other_segments() {
        let mut b = vec![0xff, 0xd8, 0xff, 0xe0, 0x00, 0x06, b'J', b'F', b'I', b'F'];
        b.extend([0xff, 0xe1, 0x00, 0x04, 0x00, 0x00]);
        b.extend([0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0xc8, 0x01, 0x40, 0x03]);
        b.extend([0u8; 9]);
        b.extend([0xff, 0xd9]);
        let ok = run("a.jpg", &b);
        assert_eq!(dims(&ok), (Some(320), Some(200)));
        assert!(ok.warnings.is_empty(), "{:?}", ok.warnings);
        let cut = run("a.jpeg", &b[..12]);
        assert_eq!(dims(&cut), (None, None));
        let codes: Vec<&str> = cut.warnings.iter().map(|w| w.code).collect();
        assert_eq!(codes, ["image-truncated", "image-malformed"]);
    }

    #[test]
    fn svg_size_from_attributes_or_viewbox() {
        let a = run("a.svg", br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" stroke-width="3" width="320px" height="200"></svg>"#);
        assert_eq!(dims(&a), (Some(320), Some(200)));
        assert!(a.warnings.is_empty());
        let b = run("b.svg", br#"<svg viewBox="0 0 640 480.4" width="100%"><g/></svg>"#);
        assert_eq!(dims(&b), (Some(640), Some(480)));
        let c = run("c.svg", b"<svg width='10'><g>");
        assert_eq!(c.warnings[0].code, "image-truncated");
        let d = run("d.svg", b"<html>not svg</html>");
        assert_eq!(d.warnings[0].code, "svg-malformed");
    }

    #[test]
    fn a_file_that_is_not_the_image_it_claims() {
        let p = run("a.png", b"<html>oops</html>");
        assert!(matches!(p.body, Body::File { .. }));
        assert_eq!(p.warnings[0].code, "image-malformed");
        let mut jpeg_named_png = vec![0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x10, 0x00, 0x20];
        jpeg_named_png.extend([0xff, 0xd9]);
        let p = run("b.png", &jpeg_named_png);
        assert_eq!(dims(&p), (Some(32), Some(16)));
        assert_eq!(p.warnings[0].code, "image-mismatch");
    }
}
