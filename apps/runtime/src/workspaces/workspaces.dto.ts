import type { WorkspaceRole } from './workspace.entity.js';

export const workspaceSchema = {
  type: 'object',
  required: ['id', 'name', 'role'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    role: { type: 'string', enum: ['owner', 'editor', 'viewer'], description: "The caller's role" },
  },
};

export const workspaceListSchema = {
  type: 'object',
  required: ['workspaces'],
  properties: { workspaces: { type: 'array', items: workspaceSchema } },
};

export interface WorkspaceNameBody {
  name: string;
}

export const workspaceNameBodySchema = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name: { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S' } },
};

export interface AddMemberBody {
  email: string;
  role: WorkspaceRole;
  password?: string;
}

export const addMemberBodySchema = {
  type: 'object',
  required: ['email', 'role'],
  additionalProperties: false,
  properties: {
    email: { type: 'string', format: 'email', maxLength: 254 },
    role: { type: 'string', enum: ['owner', 'editor', 'viewer'] },
    password: {
      type: 'string',
      minLength: 8,
      maxLength: 256,
      description: 'Initial password; required only when no account uses this email yet.',
    },
  },
};

export const memberSchema = {
  type: 'object',
  required: ['userId', 'email', 'role', 'addedAt'],
  properties: {
    userId: { type: 'string', format: 'uuid' },
    email: { type: 'string' },
    role: { type: 'string', enum: ['owner', 'editor', 'viewer'] },
    addedAt: { type: 'string', format: 'date-time' },
  },
};

export const memberListSchema = {
  type: 'object',
  required: ['members'],
  properties: { members: { type: 'array', items: memberSchema } },
};

export interface ChangeRoleBody {
  role: WorkspaceRole;
}

export const changeRoleBodySchema = {
  type: 'object',
  required: ['role'],
  additionalProperties: false,
  properties: { role: { type: 'string', enum: ['owner', 'editor', 'viewer'] } },
};
