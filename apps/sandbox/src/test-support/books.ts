/** Who calls the sandbox's Books API: the token's API domain, the access token and the organisation. */
export interface BooksCaller {
  apiDomain: string;
  accessToken: string;
  organizationId: string;
}

/**
 * One Books v3 call as the organisation's user (tests play the Books admin who edits records and sets up webhooks);
 * a non-zero Books `code` throws with the answer.
 */
export async function booksRequest(caller: BooksCaller, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const url = `${caller.apiDomain}/books/v3${path}${path.includes('?') ? '&' : '?'}organization_id=${caller.organizationId}`;
  const response = await fetch(url, {
    method,
    headers: { authorization: `Zoho-oauthtoken ${caller.accessToken}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (json.code !== 0) throw new Error(`Books ${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}
