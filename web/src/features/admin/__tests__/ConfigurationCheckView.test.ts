import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { nextTick } from 'vue'
import { ApiError } from '@/api/client'
import { setup } from '@/components/__tests__/helpers'

const checkConfiguration = vi.fn()
vi.mock('../api', async (orig) => ({ ...(await orig<typeof import('../api')>()), checkConfiguration: (...a: unknown[]) => checkConfiguration(...a) }))

import ConfigurationCheckView from '../views/ConfigurationCheckView.vue'

describe('the configuration check', () => {
  it("shows each service's answer with every refused setting's path and reason", async () => {
    checkConfiguration.mockResolvedValueOnce({
      ok: false,
      services: [
        { service: 'gateway', status: 'ok', errors: [], reason: null },
        { service: 'pool', status: 'errors', errors: [{ path: 'BATON.pool.claim_limits.per_day', reason: 'Must be greater than or equal to 0.' }], reason: null },
        { service: 'intake', status: 'unavailable', errors: [], reason: 'did not answer within 10 s' },
      ],
    })
    const view = mount(ConfigurationCheckView, { ...setup(), attachTo: document.body })
    await view.find('textarea[data-test=configuration-text]').setValue('BATON:\n  pool: {claim_limits: {per_day: -1}}\n')
    await view.find('form').trigger('submit')
    await flushPromises()
    expect(checkConfiguration).toHaveBeenCalledWith('BATON:\n  pool: {claim_limits: {per_day: -1}}\n')
    expect(view.find('[data-test=configuration-summary]').text()).toContain('2 services would refuse it')
    expect(view.find('[data-test=configuration-errors-pool]').text()).toBe('BATON.pool.claim_limits.per_day: Must be greater than or equal to 0.')
    expect(view.find('[data-test=configuration-status-intake]').text()).toBe('Did not answer')
    expect(view.text()).toContain('did not answer within 10 s')
    view.unmount()
  })

  it('names the line and column of text that is not YAML', async () => {
    checkConfiguration.mockRejectedValueOnce(
      new ApiError(422, 'refused', 'The YAML cannot be read.', { fields: { yaml: ['line 2, column 3: expected a node'] }, line: 2, column: 3 }),
    )
    const view = mount(ConfigurationCheckView, { ...setup(), attachTo: document.body })
    await view.find('textarea[data-test=configuration-text]').setValue('BATON: [')
    await view.find('form').trigger('submit')
    await flushPromises()
    await new Promise((resolve) => setTimeout(resolve, 200)) // the form item shows its error debounced
    await nextTick()
    expect(view.find('.el-form-item__error').text()).toBe('The YAML cannot be read: line 2, column 3: expected a node')
    expect(view.find('[data-test=configuration-report]').exists()).toBe(false)
    view.unmount()
  })
})
