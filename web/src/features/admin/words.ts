// Loaded with the admin pages' chunk: their words join vue-i18n then.
import { mergeFeatureMessages } from '@/lazyMessages'
import messages from './messages'

mergeFeatureMessages('admin', messages)
