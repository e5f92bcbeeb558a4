//! Sample requests, varied but deterministic, for load and tests.
//!
//! ```
//! use jostle_harness::service::validate_create;
//! use jostle_harness::sample::create_order_request;
//!
//! let request = create_order_request(41);
//! assert!(validate_create(&request).is_ok());
//! assert_eq!(request, create_order_request(41));
//! ```

use crate::proto::{CreateOrderRequest, LineItem};

/// The `n`th sample `CreateOrder` request: valid, and the same for the same `n`.
pub fn create_order_request(n: u64) -> CreateOrderRequest {
    let quantity = 1 + u32::try_from(n % 3).unwrap_or(0);
    let unit_price_minor = 250 + i64::try_from(n % 11).unwrap_or(0) * 10;
    CreateOrderRequest {
        customer_id: format!("customer-{}", n % 7),
        items: vec![LineItem { sku: format!("SKU-{}", n % 13), quantity, unit_price_minor }],
        amount_minor: unit_price_minor * i64::from(quantity),
        currency: "EUR".into(),
    }
}
