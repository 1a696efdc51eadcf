/**
 * Working days in Asia/Shanghai under China's statutory holiday schedule, with
 * make-up working days (调休上班), for computing legal disclosure deadlines. Data
 * comes from `chinese-days`; an override file adds years and corrects days.
 */
export {
  createCalendar,
  type CalendarDay,
  type CalendarOptions,
  type DayInput,
  type DayKind,
  type Deadline,
  type WorkingCalendar,
  type WorkingDayCount,
} from "./calendar";
export {
  CalendarOverridesError,
  loadCalendarOverrides,
  type CalendarOverrides,
  type YearOverride,
} from "./overrides";
