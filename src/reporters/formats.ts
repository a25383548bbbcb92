// The report formats by name, apart from the reporters themselves: the argument parser of
// the fast entries needs the names without loading every reporter.
export type ReportFormat = 'stylish' | 'json' | 'sarif' | 'github' | 'junit';

export const REPORT_FORMATS: readonly ReportFormat[] = ['stylish', 'json', 'sarif', 'github', 'junit'];
