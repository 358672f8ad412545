export interface LoginBody {
  email: string;
  password: string;
}

export const loginBodySchema = {
  type: 'object',
  required: ['email', 'password'],
  additionalProperties: false,
  properties: {
    email: { type: 'string', minLength: 1, maxLength: 254 },
    password: { type: 'string', minLength: 1, maxLength: 256 },
  },
};

export const userSchema = {
  type: 'object',
  required: ['id', 'email'],
  properties: { id: { type: 'string', format: 'uuid' }, email: { type: 'string' } },
};

/** Returned by sign-in, set-up and GET /me. */
export const sessionInfoSchema = {
  type: 'object',
  required: ['user', 'workspaces'],
  properties: {
    user: userSchema,
    workspaces: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name', 'role'],
        properties: {
          id: { type: 'string', format: 'uuid' },
          name: { type: 'string' },
          role: { type: 'string', enum: ['owner', 'editor', 'viewer'] },
        },
      },
    },
    csrfToken: {
      type: 'string',
      description: 'Send as X-CSRF-Token on state-changing requests made with the session cookie. Absent for API tokens.',
    },
  },
};

export interface CreateTokenBody {
  name: string;
}

export const createTokenBodySchema = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name: { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S' } },
};

export const apiTokenSchema = {
  type: 'object',
  required: ['id', 'name', 'prefix', 'createdAt', 'lastUsedAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    prefix: { type: 'string', description: 'The first characters of the token' },
    createdAt: { type: 'string', format: 'date-time' },
    lastUsedAt: { type: 'string', format: 'date-time', nullable: true },
  },
};

export const createdApiTokenSchema = {
  type: 'object',
  required: [...apiTokenSchema.required, 'token'],
  properties: {
    ...apiTokenSchema.properties,
    token: { type: 'string', description: 'The token itself. Shown once: store it now.' },
  },
};

export const apiTokenListSchema = {
  type: 'object',
  required: ['tokens'],
  properties: { tokens: { type: 'array', items: apiTokenSchema } },
};
