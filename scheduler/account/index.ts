export { accountPlan, admitAccountPayments, createAccountState, receiveCredits, scheduleAccount, type RefusedAccountPayment } from './scheduler';
export type * from './types';
