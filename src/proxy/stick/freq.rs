//! HAProxy 2.6's period frequency counter (`struct freq_ctr`, `update_freq_ctr_period()`,
//! `freq_ctr_total()`, `read_freq_ctr_period()` in include/haproxy/freq_ctr.h and
//! src/freq_ctr.c), reproduced on a 32-bit wrapping millisecond clock so that the same event
//! timings give the same `*_rate` numbers as HAProxy.

/// A sliding-window event counter over a period in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FreqCtr {
    /// Start of the current period (HAProxy keeps it even: bit 0 is its rotation lock).
    pub curr_tick: u32,
    pub curr_ctr: u32,
    pub prev_ctr: u32,
}

/// HAProxy's `now_ms` is a 32-bit wrapping tick count.
pub fn tick(now_ms: u64) -> u32 {
    now_ms as u32
}

impl FreqCtr {
    /// `update_freq_ctr_period()`: adds `inc` events at `now_ms`, rotating the period first
    /// when it is over. A zeroed counter starts its first period at the first event (rounded
    /// down to an even tick, as HAProxy does).
    pub fn update(&mut self, period: u32, inc: u32, now_ms: u64) -> u32 {
        let now = tick(now_ms);
        if now.wrapping_sub(self.curr_tick) < period {
            self.curr_ctr = self.curr_ctr.wrapping_add(inc);
            return self.curr_ctr;
        }
        self.prev_ctr = self.curr_ctr;
        self.curr_ctr = inc;
        let mut curr_tick = self.curr_tick.wrapping_add(period);
        if now.wrapping_sub(curr_tick) >= period {
            // At least two periods were missed.
            self.prev_ctr = 0;
            curr_tick = now;
        }
        self.curr_tick = curr_tick & !1;
        inc
    }

    /// `freq_ctr_total()`: events over the current and last period, the past one weighted by
    /// the part of it still inside the sliding window. `pend < 0` asks for the low-rate
    /// flapping correction (used by reads).
    pub fn total(&self, period: u32, pend: i32, now_ms: u64) -> u64 {
        let mut curr = u64::from(self.curr_ctr);
        let mut past = u64::from(self.prev_ctr);
        // `int remain = curr_tick + period - global_now_ms;` in 32-bit arithmetic.
        let mut remain = self
            .curr_tick
            .wrapping_add(period)
            .wrapping_sub(tick(now_ms)) as i32;
        if remain < 0 {
            remain = remain.wrapping_add(period as i32);
            past = if remain >= 0 { curr } else { 0 };
            curr = 0;
        }
        let mut pend = pend;
        if pend < 0 {
            pend = 0;
            if curr == 0 && past <= 1 {
                return past.wrapping_mul(u64::from(period));
            }
        }
        // C computes `past * remain` with `remain` promoted from int to ullong.
        past.wrapping_mul(remain as i64 as u64)
            .wrapping_add((curr + pend as u64).wrapping_mul(u64::from(period)))
    }

    /// `read_freq_ctr_period()`: the average number of events per period at `now_ms`.
    pub fn read(&self, period: u32, now_ms: u64) -> u32 {
        if period == 0 {
            return self.curr_ctr;
        }
        // div64_32: a 64/32 division whose result fits 32 bits in practice.
        (self.total(period, -1, now_ms) / u64::from(period)) as u32
    }

    /// `freq_ctr_remain_period()` (2.6: `freq_ctr_total(ctr, period, pend)`-based): how many
    /// more events fit under `freq` per period.
    pub fn remain(&self, period: u32, freq: u32, pend: u32, now_ms: u64) -> u32 {
        if period == 0 {
            return 0;
        }
        let avg = self.total(period, pend as i32, now_ms) / u64::from(period);
        u64::from(freq).saturating_sub(avg) as u32
    }
}
