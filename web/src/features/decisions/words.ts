// Loaded with the pages' chunks: their words join vue-i18n then.
import { mergeFeatureMessages } from '@/lazyMessages'
import messages from './messages'

mergeFeatureMessages('decisions', messages)
