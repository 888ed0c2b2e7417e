import {
  elementScroll,
  observeElementOffset,
  observeElementRect,
  Virtualizer,
  type VirtualizerOptions,
} from '@tanstack/virtual-core';

type Wired = 'scrollToFn' | 'observeElementRect' | 'observeElementOffset';

/** A virtualizer over a scrolling div, wired the way every long list here is; callers give the rest. */
export function divVirtualizer(
  options: Omit<VirtualizerOptions<HTMLDivElement, HTMLDivElement>, Wired>,
): Virtualizer<HTMLDivElement, HTMLDivElement> {
  return new Virtualizer({ scrollToFn: elementScroll, observeElementRect, observeElementOffset, ...options });
}
