import { BadUserInputError } from '../../common/errors';

/**
 * The bytes of the file field `file` of a multipart/form-data body (RFC 7578), as a browser form sends an upload.
 * The whole body is already in memory (and bounded), so this only splits it at the boundary.
 */
export function multipartFile(body: Buffer, contentType: string): Buffer {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!boundary) throw new BadUserInputError('a multipart body needs a boundary in its Content-Type', 'file');
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2].trim()}`);
  let start = body.indexOf(delimiter);
  while (start >= 0) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next < 0) break;
    const part = body.subarray(start + delimiter.length, next);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd >= 0) {
      const headers = part.subarray(0, headerEnd).toString('utf8');
      if (/content-disposition:[^\r\n]*\bname="file"/i.test(headers)) {
        // The part ends with the CRLF that precedes the next delimiter.
        return part.subarray(headerEnd + 4, part.length - 2);
      }
    }
    start = next;
  }
  throw new BadUserInputError('the form has no file field named "file"', 'file');
}
