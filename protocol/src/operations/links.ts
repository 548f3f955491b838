/** The owner's management of public links (the links themselves are served under /s/{token}, outside /api/v1). */
import { operation } from '../operation.js';
import { IdParams } from '../shapes/files.js';
import { Link, LinkCreate, LinkList, LinkUpdate } from '../shapes/links.js';

export const createLink = operation({
  id: 'createLink',
  method: 'POST',
  path: '/links',
  tag: 'links',
  summary: 'Create a public link to a file or folder (view/download), or a file drop into a folder',
  description:
    'The answer carries `url` (`/s/{token}`, 256 random bits) once: only the token’s hash is stored. ' +
    '409 `not_a_folder` for a drop link to a file; 409 `link_policy` when the server’s link policy refuses it (public links off, a password required, an expiry too far).',
  auth: 'user',
  body: { json: LinkCreate },
  answers: { 201: { description: 'The link, with its URL', json: Link } },
  errors: [404, 409],
});

export const listLinks = operation({
  id: 'listLinks',
  method: 'GET',
  path: '/links',
  tag: 'links',
  summary: 'The caller’s links, newest first',
  auth: 'user',
  answers: { 200: { description: 'The links', json: LinkList } },
});

export const getLink = operation({
  id: 'getLink',
  method: 'GET',
  path: '/links/{id}',
  tag: 'links',
  summary: 'One of the caller’s links',
  auth: 'user',
  params: IdParams,
  answers: { 200: { description: 'The link', json: Link } },
});

export const updateLink = operation({
  id: 'updateLink',
  method: 'PATCH',
  path: '/links/{id}',
  tag: 'links',
  summary: 'Disable or enable a link, change its password, expiry or download limit',
  description: '409 `link_policy` when a change (removing the password, a later expiry, enabling) would break the server’s link policy.',
  auth: 'user',
  params: IdParams,
  body: { json: LinkUpdate },
  answers: { 200: { description: 'The link as it is now', json: Link } },
  errors: [409],
});

export const deleteLink = operation({
  id: 'deleteLink',
  method: 'DELETE',
  path: '/links/{id}',
  tag: 'links',
  summary: 'Delete a link for good (its URL then answers like one that never existed)',
  auth: 'user',
  params: IdParams,
  answers: { 204: { description: 'Deleted' } },
});
