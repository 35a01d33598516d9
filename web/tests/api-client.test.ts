import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { api, ApiError, buildUrl, setUnauthorizedHandler } from '@/api/client'
import { setToken, token } from '@/api/token'
import { clearOutage, outage } from '@/api/status'
import { stubFetch } from './helpers'

describe('api client', () => {
  beforeEach(() => {
    setToken('bt_test')
    clearOutage()
  })
  afterEach(() => {
    vi.unstubAllGlobals()
  })

  it('sends the bearer token and JSON, and parses JSON answers', async () => {
    const calls = stubFetch(() => ({ status: 201, body: { id: 'x', ok: true } }))
    const out = await api<{ ok: boolean }>('POST', '/reminders/r1/done', { body: { note: 'called' }, idempotencyKey: 'k1' })
    expect(out.ok).toBe(true)
    expect(calls[0].method).toBe('POST')
    expect(calls[0].url).toBe('/reminders/r1/done')
    expect(calls[0].headers.Authorization).toBe('Bearer bt_test')
    expect(calls[0].headers.Accept).toBe('application/json')
    expect(calls[0].headers['Content-Type']).toBe('application/json')
    expect(calls[0].headers['Idempotency-Key']).toBe('k1')
    expect(calls[0].body).toEqual({ note: 'called' })
  })

  it('builds query strings without empty values', () => {
    expect(buildUrl('/pool', { state: 'owned', owner_id: 'alice', country: '', grade: undefined, limit: 20, unread: true }))
      .toBe('/pool?state=owned&owner_id=alice&limit=20&unread=true')
    expect(buildUrl('/x', { a: ['1', 2] })).toBe('/x?a=1&a=2')
    expect(buildUrl('/x')).toBe('/x')
  })

  it('turns the gateway error body into ApiError with code, message, details and fields', async () => {
    stubFetch(() => ({
      status: 422,
      body: {
        error: {
          code: 'invalid_input',
          message: 'Check the fields.',
          details: { fields: { summary: ['must not be empty'], at: 'not a date' } },
        },
      },
    }))
    const err = (await api('POST', '/customers/c1/communications', { body: {} }).catch((e) => e)) as ApiError
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(422)
    expect(err.code).toBe('invalid_input')
    expect(err.message).toBe('Check the fields.')
    expect(err.fields).toEqual({ summary: ['must not be empty'], at: ['not a date'] })
    expect(err.field('summary')).toBe('must not be empty')
    expect(err.field('method')).toBe('')
  })

  it('flattens nested field errors into dotted names, never "[object Object]"', async () => {
    stubFetch(() => ({
      status: 400,
      body: {
        error: {
          code: 'invalid_input',
          message: 'Check the fields.',
          details: {
            fields: {
              contacts: { '0': { email: ['Not a valid email address.'] }, '2': { phone: ['Too short.'], name: 'Required.' } },
              titles: [{ registration_code: ['Not a valid DE VAT number.'] }],
              custom_fields: { industry: { code: ['Unknown.'] } },
              company: ['Required.'],
              _schema: ['Give at least one field.'],
            },
          },
        },
      },
    }))
    const err = (await api('PATCH', '/customers/c1', { body: {} }).catch((e) => e)) as ApiError
    expect(err.fields).toEqual({
      'contacts.0.email': ['Not a valid email address.'],
      'contacts.2.phone': ['Too short.'],
      'contacts.2.name': ['Required.'],
      'titles.0.registration_code': ['Not a valid DE VAT number.'],
      'custom_fields.industry.code': ['Unknown.'],
      company: ['Required.'],
      _schema: ['Give at least one field.'],
    })
    expect(err.field('contacts.0.email')).toBe('Not a valid email address.')
    expect(JSON.stringify(err.fields)).not.toContain('[object Object]')
  })

  it('keeps a 409 refusal message as the server gave it', async () => {
    stubFetch(() => ({
      status: 409,
      body: { error: { code: 'conflict', message: 'Daily claim limit reached (5); resets at 00:00.', details: { limit: 'per_day' } } },
    }))
    const err = (await api('POST', '/customers/c1/claim', { body: {} }).catch((e) => e)) as ApiError
    expect(err.message).toBe('Daily claim limit reached (5); resets at 00:00.')
    expect(err.details.limit).toBe('per_day')
  })

  it('survives error bodies that are not JSON', async () => {
    stubFetch(() => ({ status: 502, text: '<html>Bad gateway</html>' }))
    const err = (await api('GET', '/me').catch((e) => e)) as ApiError
    expect(err.status).toBe(502)
    expect(err.code).toBe('http_error')
    expect(err.fields).toEqual({})
  })

  it('on 401 clears the session and calls the sign-in redirect with the reason', async () => {
    const handler = vi.fn()
    setUnauthorizedHandler(handler)
    stubFetch(() => ({
      status: 401,
      body: { error: { code: 'unauthenticated', message: 'Session expired.', details: { reason: 'session_expired' } } },
    }))
    const err = (await api('GET', '/users/alice/reminders').catch((e) => e)) as ApiError
    expect(err.status).toBe(401)
    expect(token.value).toBeNull()
    expect(localStorage.getItem('baton.token')).toBeNull()
    expect(handler).toHaveBeenCalledWith('session_expired')
  })

  it('does not redirect when the caller handles 401 itself (sign-in form)', async () => {
    const handler = vi.fn()
    setUnauthorizedHandler(handler)
    stubFetch(() => ({ status: 401, body: { error: { code: 'unauthenticated', message: 'Wrong user id or password.', details: {} } } }))
    const err = (await api('POST', '/sessions', { body: {}, redirectOn401: false }).catch((e) => e)) as ApiError
    expect(err.message).toBe('Wrong user id or password.')
    expect(handler).not.toHaveBeenCalled()
  })

  it('on 503 sets the banner naming the service', async () => {
    stubFetch(() => ({
      status: 503,
      body: { error: { code: 'unavailable', message: 'The pool service did not answer.', details: { service: 'pool' } } },
    }))
    expect(outage.value).toBeNull()
    await api('GET', '/pool').catch(() => undefined)
    expect(outage.value?.service).toBe('pool')
    expect(outage.value?.message).toBe('The pool service did not answer.')
  })

  it('reports a network failure as an outage without a service', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => {
      throw new TypeError('Failed to fetch')
    }))
    const err = (await api('GET', '/me').catch((e) => e)) as ApiError
    expect(err.code).toBe('network')
    expect(outage.value?.service).toBeNull()
  })
})
