// Loaded with the dashboards' chunk: their words join vue-i18n then.
import { mergeFeatureMessages } from '@/lazyMessages'
import messages from './messages'

mergeFeatureMessages('reports', messages)
