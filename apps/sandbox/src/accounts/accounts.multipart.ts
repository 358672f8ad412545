/**
 * Minimal multipart/form-data reader for the token endpoint (the official Zoho CRM SDK sends its token request
 * as multipart, apis.md A3). Only text fields are needed; file parts are ignored.
 */
export function parseMultipartFields(body: Buffer, contentType: string): Record<string, string> {
  const match = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) return {};
  const delimiter = Buffer.from(`--${boundary.trim()}`);
  const fields: Record<string, string> = {};
  let start = body.indexOf(delimiter);
  // Bounded: every iteration moves `start` forward past one delimiter.
  while (start !== -1) {
    const partStart = start + delimiter.length;
    if (body.subarray(partStart, partStart + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, partStart);
    if (next === -1) break;
    const part = body.subarray(partStart, next);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString('utf8');
      const name = /content-disposition:[^\r\n]*\bname="([^"]*)"/i.exec(headers)?.[1];
      const isFile = /content-disposition:[^\r\n]*\bfilename=/i.test(headers);
      let value = part.subarray(headerEnd + 4);
      if (value.subarray(value.length - 2).toString() === '\r\n') value = value.subarray(0, value.length - 2);
      if (name && !isFile) fields[name] = value.toString('utf8');
    }
    start = next;
  }
  return fields;
}
